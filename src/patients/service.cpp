#include "patients/service.hpp"

#include <algorithm>
#include <set>

#include "patients/repo.hpp"

namespace stork::patients {
namespace {

using auth::Principal;
using auth::PrincipalKind;
using auth::RequestContext;

constexpr std::string_view kIdColumn = "patients.id_number";
constexpr std::string_view kPhoneColumn = "patients.phone";

bool is_staff(const Principal& p) { return p.kind == PrincipalKind::staff; }

// Lower-cases ASCII so "Li" finds "li"; Chinese is compared as is.
std::string name_key(std::string_view name) {
  std::string key(name);
  for (char& c : key)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return key;
}

// The smallest string greater than every string starting with prefix.
std::string prefix_end(std::string key) { return key + "\xF4\x8F\xBF\xBF"; }  // U+10FFFF

bool valid_hhmm(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return false;
  for (size_t i : {0u, 1u, 3u, 4u})
    if (t[i] < '0' || t[i] > '9') return false;
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  return h < 24 && m < 60;
}

bool valid_relationship(std::string_view r) {
  return r == "mother" || r == "father" || r == "guardian" || r == "grandparent";
}

void add_all(FieldErrors& errors, const std::vector<FieldError>& found) {
  for (const auto& f : found) errors.add(f.field, f.message);
}

// A registration that passed every rule, ready to store.
struct ValidPatient {
  std::string name;
  Sex sex = Sex::female;
  CivilDate birth_date;
  std::string birth_time;
  std::optional<IdType> id_type;
  std::string id_number;  // normalized; empty for a temporary identity
  std::string phone;      // normalized
  bool phone_foreign = false;
  std::string address, ethnicity, allergies;
  bool temporary_identity = false;
};

std::vector<FieldError> check_free_text(const NewPatient& p) {
  std::vector<FieldError> errors;
  auto limit = [&](std::string_view field, const std::string& v, size_t max) {
    if (v.size() > max) errors.push_back({std::string(field), "must be at most " + std::to_string(max) + " bytes"});
    for (unsigned char ch : v)
      if (ch < 0x20 && ch != '\n') {
        errors.push_back({std::string(field), "contains a control character"});
        break;
      }
  };
  limit("address", p.address, 300);
  limit("ethnicity", p.ethnicity, 30);
  limit("allergies", p.allergies, 1000);
  return errors;
}

// Checks a document against its type, the date of birth and the sex.
void check_document_fields(FieldErrors& errors, std::string_view type_text, const std::string& number,
                           std::optional<CivilDate> birth, std::optional<Sex> sex, CivilDate today,
                           std::optional<IdType>& type_out) {
  type_out = parse_id_type(type_text);
  if (!type_out) {
    errors.add("id_type", "must be one of resident_id, passport, hk_macao_permit, taiwan_permit, "
                          "foreign_permanent_residence, birth_certificate");
    return;
  }
  if (number.empty()) {
    errors.add("id_number", "is required");
    return;
  }
  if (*type_out == IdType::resident_id) add_all(errors, check_resident_id(number, birth, sex, today));
  else add_all(errors, check_document(*type_out, number));
}

Result<ValidPatient> validate(const NewPatient& p, CivilDate today, const std::string& fallback_phone,
                              bool fallback_foreign) {
  FieldErrors errors;
  ValidPatient v;
  add_all(errors, check_name(p.name));
  v.name = trim_spaces(p.name);
  const auto sex = parse_sex(p.sex);
  if (!sex) errors.add("sex", "must be female or male");
  else v.sex = *sex;
  const auto birth = parse_date(p.birth_date);
  if (!birth) errors.add("birth_date", "must be a real date as YYYY-MM-DD");
  else if (*birth > today) errors.add("birth_date", "is in the future");
  else if (birth->year < 1880) errors.add("birth_date", "is too far in the past");
  else v.birth_date = *birth;
  v.id_number = normalize_id_number(p.id_number);
  check_document_fields(errors, p.id_type, v.id_number, birth, sex, today, v.id_type);
  if (p.phone.empty() && !fallback_phone.empty()) {
    v.phone = fallback_phone;
    v.phone_foreign = fallback_foreign;
  } else if (p.phone.empty()) {
    errors.add("phone", "is required");
  } else {
    v.phone = normalize_phone(p.phone);
    v.phone_foreign = p.phone_foreign;
    add_all(errors, check_phone(v.phone, v.phone_foreign));
  }
  add_all(errors, check_free_text(p));
  v.address = p.address;
  v.ethnicity = p.ethnicity;
  v.allergies = p.allergies;
  if (auto s = errors.status(); !s) return fail(s.error());
  return v;
}

Error document_taken(const Principal& who, int64_t existing_id) {
  if (!is_staff(who))
    return Error::conflict("document_registered",
                           "this document is already registered; please ask at the one-stop window");
  return Error::conflict("document_registered", "a patient with this document number is already registered")
      .with("existing_id", existing_id);
}

}  // namespace

bool may_reveal(const Principal& who) {
  return who.kind == PrincipalKind::patient || who.has_role(auth::Role::clerk);
}

// One transaction's worth of work: loading, viewing, checking access and
// auditing against one connection.
struct PatientService::Impl {
  const PatientService& s;
  store::Connection& c;
  const Principal* who;  // null for system work
  const RequestContext& ctx;
  CivilDate today;

  struct Stored {
    PatientView view;  // unmasked
    int64_t card_version = 0;
  };

  std::string actor() const { return who ? who->audit_name() : "system"; }

  Status audit(std::string action, int64_t patient_id, std::string detail = "", std::string outcome = "success") {
    return s.audit_.append(c, {actor(), std::move(action), "patient", std::to_string(patient_id),
                               std::move(outcome), std::move(detail)},
                           ctx);
  }

  // One entry per search or list: how it searched (never the value) and
  // the ids shown, so the trail of any patient includes the lists she was in.
  Status audit_search(const std::string& by, const std::vector<PatientView>& shown) {
    std::string ids;
    for (const auto& v : shown) ids += (ids.empty() ? "" : ",") + std::to_string(v.id);
    return s.audit_.append(c, {actor(), "patient.search", "patient", ids, "success",
                               "by " + by + ": " + std::to_string(shown.size()) + " shown"},
                           ctx);
  }

  Result<Stored> decode(const store::Row& row, size_t o) const {
    Stored st;
    auto& v = st.view;
    v.id = row.integer(o + 0);
    v.card_no = row.opt_text(o + 1).value_or("");
    st.card_version = row.integer(o + 2);
    v.name = row.text(o + 3);
    v.sex = parse_sex(row.text(o + 4)).value_or(Sex::female);
    v.birth_date = row.text(o + 5);
    v.birth_time = row.text(o + 6);
    if (auto t = row.opt_text(o + 7)) v.id_type = parse_id_type(*t);
    if (auto enc = row.opt_text(o + 8)) {
      auto plain = s.cipher_.decrypt(*enc, kIdColumn);
      if (!plain) return fail(plain.error());
      v.id_number = std::move(*plain);
    }
    auto phone = s.cipher_.decrypt(row.text(o + 9), kPhoneColumn);
    if (!phone) return fail(phone.error());
    v.phone = std::move(*phone);
    v.phone_foreign = row.boolean(o + 10);
    v.address = row.text(o + 11);
    v.ethnicity = row.text(o + 12);
    v.allergies = row.text(o + 13);
    v.temporary_identity = row.boolean(o + 14);
    v.merged_into = row.opt_integer(o + 15);
    v.created_at_ms = row.integer(o + 16);
    v.updated_at_ms = row.integer(o + 17);
    if (auto born = parse_date(v.birth_date)) v.age = std::max(0, age_in_years(*born, today));
    return st;
  }

  Result<std::vector<Stored>> load_all(const store::Sql& sql, store::Params params, size_t offset = 0) {
    auto rows = c.query(sql, std::move(params));
    if (!rows) return fail(rows.error());
    std::vector<Stored> out;
    for (const auto& row : *rows) {
      auto st = decode(row, offset);
      if (!st) return fail(st.error());
      out.push_back(std::move(*st));
    }
    return out;
  }

  Result<Stored> load(int64_t id) {
    auto found = load_all(sql::kSelectById, {id});
    if (!found) return fail(found.error());
    if (found->empty()) return fail(Error::not_found("patient " + std::to_string(id)));
    return std::move(found->front());
  }

  // A record that can still be worked on: exists and was not merged away.
  Result<Stored> load_active(int64_t id, std::string_view field = "id") {
    auto st = load(id);
    if (!st) return st;
    if (st->view.merged_into)
      return fail(Error::conflict("already_merged", "patient " + std::to_string(id) + " was merged into " +
                                                        std::to_string(*st->view.merged_into))
                      .with("merged_into", *st->view.merged_into)
                      .with("field", std::string(field)));
    return st;
  }

  PatientView masked(PatientView v, bool reveal) const {
    v.revealed = reveal;
    if (!reveal) {
      v.id_number = crypto::mask_id_number(v.id_number);
      v.phone = crypto::mask_phone(v.phone);
    }
    return v;
  }

  Result<std::optional<int64_t>> self_of_account(int64_t account_id) {
    auto rows = c.query(sql::kSelectAccount, {account_id});
    if (!rows) return fail(rows.error());
    if (rows->empty()) return std::optional<int64_t>();
    return (*rows)[0].opt_integer(1);
  }

  Result<std::vector<int64_t>> ids(const store::Sql& sql, int64_t id) {
    auto rows = c.query(sql, {id});
    if (!rows) return fail(rows.error());
    std::vector<int64_t> out;
    for (const auto& r : *rows) out.push_back(r.integer(0));
    return out;
  }

  // Staff passed their route's role check; a patient reaches only herself
  // and her children.
  Status authorize(int64_t patient_id) {
    if (!who || is_staff(*who)) return {};
    auto self = self_of_account(who->id);
    if (!self) return fail(self.error());
    if (!*self) return fail(Error::forbidden("register yourself first; then you can add your children"));
    if (**self == patient_id) return {};
    auto children = ids(sql::kSelectChildIds, **self);
    if (!children) return fail(children.error());
    if (std::find(children->begin(), children->end(), patient_id) != children->end()) return {};
    return fail(Error::forbidden("you can see only your own record and your children's"));
  }

  Status require_staff() {
    if (who && !is_staff(*who)) return fail(Error::forbidden("only hospital staff can do this"));
    return {};
  }

  Result<std::optional<int64_t>> document_owner(const std::string& index) {
    auto rows = c.query(sql::kSelectByDocument, {index});
    if (!rows) return fail(rows.error());
    if (rows->empty()) return std::optional<int64_t>();
    return std::optional<int64_t>((*rows)[0].integer(0));
  }

  std::string id_index(const std::string& number) const { return s.cipher_.blind_index(number, kIdColumn); }
  std::string phone_index(const std::string& phone) const { return s.cipher_.blind_index(phone, kPhoneColumn); }

  Result<std::vector<PatientView>> duplicates(const std::string& name, const std::string& birth_date,
                                              const std::string& phone) {
    auto found = load_all(sql::kSelectLikelyDuplicates, {name_key(name), birth_date, phone_index(phone)});
    if (!found) return fail(found.error());
    std::vector<PatientView> out;
    for (auto& st : *found) out.push_back(masked(st.view, false));
    return out;
  }

  // Inserts and gives the card number. Document clashes are checked first
  // so the answer names the existing record; the unique index decides races.
  Result<Stored> insert(const ValidPatient& v) {
    std::string index;
    if (!v.id_number.empty()) {
      index = id_index(v.id_number);
      auto owner = document_owner(index);
      if (!owner) return fail(owner.error());
      if (*owner) return fail(document_taken(*who_or_system(), **owner));
    }
    const int64_t now = s.clock_.now_ms();
    auto rows = c.query(
        sql::kInsertPatient,
        {v.name, name_key(v.name), std::string(sex_name(v.sex)), format_date(v.birth_date), v.birth_time,
         v.id_type ? store::Value(std::string(id_type_name(*v.id_type))) : store::Value(),
         v.id_number.empty() ? store::Value() : store::Value(s.cipher_.encrypt(v.id_number, kIdColumn)),
         index.empty() ? store::Value() : store::Value(index), s.cipher_.encrypt(v.phone, kPhoneColumn),
         phone_index(v.phone), int64_t{v.phone_foreign}, v.address, v.ethnicity, v.allergies,
         int64_t{v.temporary_identity}, now});
    if (!rows) return fail(rows.error());
    const int64_t id = (*rows)[0].integer(0);
    if (auto r = c.execute(sql::kSetCardNo, {id, card_number_for(id)}); !r) return fail(r.error());
    return load(id);
  }

  const Principal* who_or_system() const {
    static const Principal kSystem{PrincipalKind::staff, 0, "system", "system", {auth::Role::clerk}, ""};
    return who ? who : &kSystem;
  }

  // True when `ancestor` is child_id or above it: linking would close a cycle.
  Result<bool> is_ancestor_or_self(int64_t ancestor, int64_t start) {
    std::set<int64_t> seen;
    std::vector<int64_t> frontier{start};
    while (!frontier.empty()) {
      const int64_t id = frontier.back();
      frontier.pop_back();
      if (id == ancestor) return true;
      if (!seen.insert(id).second) continue;
      auto up = ids(sql::kSelectGuardianIds, id);
      if (!up) return fail(up.error());
      frontier.insert(frontier.end(), up->begin(), up->end());
    }
    return false;
  }

  Result<Family> family_of(int64_t id, bool reveal) {
    auto st = load(id);
    if (!st) return fail(st.error());
    Family f;
    f.patient = masked(st->view, reveal);
    auto children = c.query(sql::kSelectChildren, {id});
    if (!children) return fail(children.error());
    for (const auto& row : *children) {
      auto child = decode(row, 1);
      if (!child) return fail(child.error());
      f.children.push_back({masked(child->view, reveal), row.text(0)});
    }
    auto guardians = c.query(sql::kSelectGuardians, {id});
    if (!guardians) return fail(guardians.error());
    for (const auto& row : *guardians) {
      auto g = decode(row, 1);
      if (!g) return fail(g.error());
      // A patient sees her guardians' names only: their records are theirs.
      f.guardians.push_back({masked(g->view, reveal && is_staff(*who_or_system())), row.text(0)});
    }
    return f;
  }

  CardView card_view(const Stored& st) const {
    CardView v;
    v.patient_id = st.view.id;
    v.card_no = st.view.card_no;
    v.version = st.card_version;
    // Whole seconds: the token carries seconds.
    v.qr_expires_at_ms = (s.clock_.now_ms() / 1000 + int64_t{s.settings_.qr_ttl_minutes} * 60) * 1000;
    v.qr = s.signer_.sign({st.view.id, st.card_version, v.qr_expires_at_ms});
    return v;
  }
};

PatientService::PatientService(store::Database& db, const Clock& clock, const auth::AuditLog& audit,
                               const crypto::FieldCipher& cipher, CardTokenSigner signer, PatientSettings settings)
    : db_(db), clock_(clock), audit_(audit), cipher_(cipher), signer_(std::move(signer)), settings_(settings) {}

#define STORK_TX(tx, principal, ctx) \
  Impl tx{*this, c, (principal), (ctx), local_date(clock_.now_ms(), settings_.utc_offset_minutes)}

namespace {
// A unique-index race lost to a concurrent registration becomes the same
// 409 the pre-check gives.
template <class F>
auto with_document_race(F&& attempt) -> decltype(attempt()) {
  auto r = attempt();
  if (!r && r.error().code == "unique_violation") {
    auto again = attempt();  // the pre-check now sees the winner's row
    if (!again && again.error().code == "unique_violation")
      return fail(Error::conflict("document_registered", "a patient with this document number is already registered"));
    return again;
  }
  return r;
}
}  // namespace

Result<Registration> PatientService::register_patient(const Principal& who, const NewPatient& p,
                                                      const RequestContext& ctx) {
  return with_document_race([&] {
    return store::write_tx(db_, [&](store::Connection& c) -> Result<Registration> {
      STORK_TX(tx, &who, ctx);
      std::optional<int64_t> account_phone_owner;
      if (!is_staff(who)) {
        auto account = c.query(sql::kSelectAccount, {who.id});
        if (!account) return fail(account.error());
        if (account->empty()) return fail(Error::unauthenticated());
        if ((*account)[0].opt_integer(1))
          return fail(Error::conflict("already_registered",
                                      "you are registered already; add your children from your family page"));
        auto phone = cipher_.decrypt((*account)[0].text(2), "portal_accounts.phone");
        if (!phone) return fail(phone.error());
        if (normalize_phone(p.phone) != *phone)
          return fail(Error::invalid("phone", "must be the phone number you signed in with"));
      }
      auto v = validate(p, tx.today, "", false);
      if (!v) return fail(v.error());
      Registration out;
      if (is_staff(who) && !p.confirmed_not_duplicate) {
        std::string index = v->id_number.empty() ? "" : tx.id_index(v->id_number);
        auto owner = index.empty() ? Result<std::optional<int64_t>>() : tx.document_owner(index);
        if (!owner) return fail(owner.error());
        if (*owner) return fail(document_taken(who, **owner));
        auto dups = tx.duplicates(v->name, format_date(v->birth_date), v->phone);
        if (!dups) return fail(dups.error());
        if (!dups->empty()) {
          // A concurrent registration of the same document may have
          // committed between the two reads: that is the stronger answer.
          if (!index.empty()) {
            auto again = tx.document_owner(index);
            if (!again) return fail(again.error());
            if (*again) return fail(document_taken(who, **again));
          }
          out.candidates = std::move(*dups);
          for (const auto& d : out.candidates)
            if (auto s = tx.audit("patient.duplicate_candidate", d.id, "shown during a registration"); !s)
              return fail(s.error());
          return out;
        }
      }
      auto st = tx.insert(*v);
      if (!st) return fail(st.error());
      if (!is_staff(who))
        if (auto r = c.execute(sql::kBindAccount, {who.id, st->view.id}); !r) return fail(r.error());
      if (auto s = tx.audit("patient.create", st->view.id, p.confirmed_not_duplicate ? "duplicate warning confirmed" : "");
          !s)
        return fail(s.error());
      out.created = tx.masked(st->view, false);
      return out;
    });
  });
}

Result<PatientView> PatientService::get(const Principal& who, int64_t id, bool reveal, const RequestContext& ctx) {
  if (reveal && !may_reveal(who))
    return fail(Error::forbidden("your role may not see identity numbers and phones in full"));
  return store::write_tx(db_, [&](store::Connection& c) -> Result<PatientView> {
    STORK_TX(tx, &who, ctx);
    if (auto s = tx.authorize(id); !s) return fail(s.error());
    auto st = tx.load(id);
    if (!st) return fail(st.error());
    if (st->view.merged_into) {
      PatientView pointer;
      pointer.id = id;
      pointer.merged_into = st->view.merged_into;
      if (auto s = tx.audit("patient.read", id, "merged record"); !s) return fail(s.error());
      return pointer;
    }
    if (auto s = tx.audit(reveal ? "patient.reveal" : "patient.read", id); !s) return fail(s.error());
    return tx.masked(st->view, reveal);
  });
}

Result<PatientView> PatientService::update(const Principal& who, int64_t id, const PatientPatch& patch,
                                           const RequestContext& ctx) {
  return store::write_tx(db_, [&](store::Connection& c) -> Result<PatientView> {
    STORK_TX(tx, &who, ctx);
    if (auto s = tx.authorize(id); !s) return fail(s.error());
    auto st = tx.load_active(id);
    if (!st) return fail(st.error());
    PatientView v = st->view;
    FieldErrors errors;
    std::string changed;
    if (patch.name) {
      add_all(errors, check_name(*patch.name));
      v.name = trim_spaces(*patch.name);
      changed += "name ";
    }
    if (patch.phone || patch.phone_foreign) {
      if (patch.phone) v.phone = normalize_phone(*patch.phone);
      if (patch.phone_foreign) v.phone_foreign = *patch.phone_foreign;
      add_all(errors, check_phone(v.phone, v.phone_foreign));
      changed += "phone ";
    }
    NewPatient text;
    text.address = patch.address.value_or(v.address);
    text.ethnicity = patch.ethnicity.value_or(v.ethnicity);
    text.allergies = patch.allergies.value_or(v.allergies);
    add_all(errors, check_free_text(text));
    if (patch.address) changed += "address ";
    if (patch.ethnicity) changed += "ethnicity ";
    if (patch.allergies) changed += "allergies ";
    if (auto s = errors.status(); !s) return fail(s.error());
    if (auto r = c.execute(sql::kUpdatePatient,
                           {id, v.name, name_key(v.name), cipher_.encrypt(v.phone, kPhoneColumn), tx.phone_index(v.phone),
                            int64_t{v.phone_foreign}, text.address, text.ethnicity, text.allergies, clock_.now_ms()});
        !r)
      return fail(r.error());
    if (auto s = tx.audit("patient.update", id, "changed: " + changed); !s) return fail(s.error());
    auto updated = tx.load(id);
    if (!updated) return fail(updated.error());
    return tx.masked(updated->view, false);
  });
}

Result<std::vector<PatientView>> PatientService::search(const Principal& who, const SearchQuery& q,
                                                        const RequestContext& ctx) {
  return store::write_tx(db_, [&](store::Connection& c) -> Result<std::vector<PatientView>> {
    STORK_TX(tx, &who, ctx);
    if (auto s = tx.require_staff(); !s) return fail(s.error());
    const int64_t limit = std::clamp(q.limit, 1, 100);
    Result<std::vector<Impl::Stored>> found;
    std::string by;
    switch (q.by) {
      case SearchBy::card_no:
        by = "card_no";
        found = tx.load_all(sql::kSelectByCard, {q.value});
        break;
      case SearchBy::id_number:
        by = "id_number";
        found = tx.load_all(sql::kSelectByDocument, {tx.id_index(normalize_id_number(q.value))});
        break;
      case SearchBy::phone:
        by = "phone";
        found = tx.load_all(sql::kSelectByPhone, {tx.phone_index(normalize_phone(q.value)), limit});
        break;
      case SearchBy::name:
        by = q.prefix ? "name prefix" : "name";
        found = q.prefix ? tx.load_all(sql::kSelectByNameRange,
                                       {name_key(q.value), prefix_end(name_key(q.value)), limit})
                         : tx.load_all(sql::kSelectByName, {name_key(q.value), limit});
        break;
    }
    if (!found) return fail(found.error());
    std::vector<PatientView> out;
    for (auto& st : *found) out.push_back(tx.masked(st.view, false));
    // One entry per search: what was searched by (never the value) and how
    // many records were shown.
    if (auto s = tx.audit_search(by, out); !s) return fail(s.error());
    return out;
  });
}

Result<std::vector<PatientView>> PatientService::likely_duplicates(const Principal& who, const std::string& name,
                                                                   const std::string& birth_date,
                                                                   const std::string& phone,
                                                                   const RequestContext& ctx) {
  return store::write_tx(db_, [&](store::Connection& c) -> Result<std::vector<PatientView>> {
    STORK_TX(tx, &who, ctx);
    if (auto s = tx.require_staff(); !s) return fail(s.error());
    auto found = tx.duplicates(trim_spaces(name), birth_date, normalize_phone(phone));
    if (!found) return fail(found.error());
    if (auto s = tx.audit_search("duplicate check", *found); !s) return fail(s.error());
    return found;
  });
}

Result<Family> PatientService::family(const Principal& who, int64_t id, const RequestContext& ctx) {
  return store::write_tx(db_, [&](store::Connection& c) -> Result<Family> {
    STORK_TX(tx, &who, ctx);
    if (auto s = tx.authorize(id); !s) return fail(s.error());
    auto f = tx.family_of(id, false);
    if (!f) return fail(f.error());
    if (auto s = tx.audit("patient.family", id, std::to_string(f->children.size()) + " children"); !s)
      return fail(s.error());
    return f;
  });
}

Result<Registration> PatientService::add_child(const Principal& who, int64_t guardian_id, const NewPatient& child,
                                               const std::string& relationship, const RequestContext& ctx) {
  return with_document_race([&] {
    return store::write_tx(db_, [&](store::Connection& c) -> Result<Registration> {
      STORK_TX(tx, &who, ctx);
      if (auto s = tx.authorize(guardian_id); !s) return fail(s.error());
      if (!valid_relationship(relationship))
        return fail(Error::invalid("relationship", "must be mother, father, guardian or grandparent"));
      auto guardian = tx.load_active(guardian_id);
      if (!guardian) return fail(guardian.error());
      auto v = validate(child, tx.today, guardian->view.phone, guardian->view.phone_foreign);
      if (!v) return fail(v.error());
      Registration out;
      if (is_staff(who) && !child.confirmed_not_duplicate) {
        auto dups = tx.duplicates(v->name, format_date(v->birth_date), v->phone);
        if (!dups) return fail(dups.error());
        if (!dups->empty()) {
          if (!v->id_number.empty()) {  // the document decides first (see register_patient)
            auto owner = tx.document_owner(tx.id_index(v->id_number));
            if (!owner) return fail(owner.error());
            if (*owner) return fail(document_taken(who, **owner));
          }
          out.candidates = std::move(*dups);
          return out;
        }
      }
      auto st = tx.insert(*v);
      if (!st) return fail(st.error());
      if (auto r = c.execute(sql::kInsertGuardian, {guardian_id, st->view.id, relationship, clock_.now_ms()}); !r)
        return fail(r.error());
      if (auto s = tx.audit("patient.create", st->view.id, "child of " + std::to_string(guardian_id)); !s)
        return fail(s.error());
      out.created = tx.masked(st->view, false);
      return out;
    });
  });
}

Status PatientService::link_child(const Principal& who, int64_t guardian_id, int64_t child_id,
                                  const std::string& relationship, const RequestContext& ctx) {
  return db_.write([&](store::Connection& c) -> Status {
    STORK_TX(tx, &who, ctx);
    if (auto s = tx.require_staff(); !s)
      return fail(Error::forbidden("to add a child, register her from your family page"));
    if (!valid_relationship(relationship))
      return fail(Error::invalid("relationship", "must be mother, father, guardian or grandparent"));
    if (guardian_id == child_id) return fail(Error::invalid("child_id", "a patient cannot be her own guardian"));
    if (auto g = tx.load_active(guardian_id); !g) return fail(g.error());
    if (auto ch = tx.load_active(child_id, "child_id"); !ch) return fail(ch.error());
    auto cycle = tx.is_ancestor_or_self(child_id, guardian_id);
    if (!cycle) return fail(cycle.error());
    if (*cycle)
      return fail(Error::invalid("child_id", "patient " + std::to_string(child_id) + " is already a guardian of " +
                                                 std::to_string(guardian_id) + " (directly or through others)"));
    auto children = tx.ids(sql::kSelectChildIds, guardian_id);
    if (!children) return fail(children.error());
    if (std::find(children->begin(), children->end(), child_id) != children->end())
      return fail(Error::conflict("already_linked", "this child is already linked to this guardian"));
    if (auto r = c.execute(sql::kInsertGuardian, {guardian_id, child_id, relationship, clock_.now_ms()}); !r)
      return fail(r.error());
    return tx.audit("patient.link_child", child_id, "guardian " + std::to_string(guardian_id) + " (" + relationship + ")");
  });
}

Status PatientService::unlink_child(const Principal& who, int64_t guardian_id, int64_t child_id,
                                    const std::string& reason, const RequestContext& ctx) {
  return db_.write([&](store::Connection& c) -> Status {
    STORK_TX(tx, &who, ctx);
    if (auto s = tx.authorize(guardian_id); !s) return fail(s.error());
    auto children = tx.ids(sql::kSelectChildIds, guardian_id);
    if (!children) return fail(children.error());
    if (std::find(children->begin(), children->end(), child_id) == children->end())
      return fail(Error::not_found("link between guardian " + std::to_string(guardian_id) + " and child " +
                                   std::to_string(child_id)));
    auto child = tx.load(child_id);
    if (!child) return fail(child.error());
    const bool adult = child->view.age >= 18;
    const bool correction = who.has_role(auth::Role::clerk) && !trim_spaces(reason).empty();
    if (!adult && !correction)
      return fail(Error::conflict("child_is_minor", "a child under 18 stays linked to her guardian; a clerk can "
                                                    "remove a link made by mistake, giving the reason"));
    if (reason.size() > 500) return fail(Error::invalid("reason", "must be at most 500 bytes"));
    if (auto r = c.execute(sql::kDeleteGuardian, {guardian_id, child_id}); !r) return fail(r.error());
    return tx.audit("patient.unlink_child", child_id,
                    "guardian " + std::to_string(guardian_id) + (adult ? " (adult)" : " (correction: " + reason + ")"));
  });
}

Result<PatientView> PatientService::register_newborn(const Principal& who, int64_t mother_id, const NewNewborn& baby,
                                                     const RequestContext& ctx) {
  return store::write_tx(db_, [&](store::Connection& c) -> Result<PatientView> {
    STORK_TX(tx, &who, ctx);
    if (auto s = tx.authorize(mother_id); !s) return fail(s.error());
    auto mother = tx.load_active(mother_id);
    if (!mother) return fail(mother.error());
    FieldErrors errors;
    ValidPatient v;
    const auto sex = parse_sex(baby.sex);
    if (!sex) errors.add("sex", "must be female or male");
    const auto born = parse_date(baby.birth_date);
    if (!born) errors.add("birth_date", "must be a real date as YYYY-MM-DD");
    else if (*born > tx.today) errors.add("birth_date", "is in the future");
    else if (age_in_years(*born, tx.today) >= 1) errors.add("birth_date", "a newborn is under one year old");
    if (!valid_hhmm(baby.birth_time)) errors.add("birth_time", "must be a time as HH:MM");
    if (!valid_relationship(baby.relationship))
      errors.add("relationship", "must be mother, father, guardian or grandparent");
    if (auto s = errors.status(); !s) return fail(s.error());
    v.sex = *sex;
    v.birth_date = *born;
    v.birth_time = baby.birth_time;
    // "张丽之女" / "张丽之子": how Chinese hospitals name a baby before her name is given.
    v.name = mother->view.name + (v.sex == Sex::female ? "之女" : "之子");
    v.phone = mother->view.phone;
    v.phone_foreign = mother->view.phone_foreign;
    v.temporary_identity = true;
    auto st = tx.insert(v);
    if (!st) return fail(st.error());
    if (auto r = c.execute(sql::kInsertGuardian, {mother_id, st->view.id, baby.relationship, clock_.now_ms()}); !r)
      return fail(r.error());
    if (auto s = tx.audit("patient.newborn", st->view.id, "guardian " + std::to_string(mother_id)); !s)
      return fail(s.error());
    return tx.masked(st->view, false);
  });
}

Result<PatientView> PatientService::complete_identity(const Principal& who, int64_t id, const IdentityCompletion& in,
                                                      const RequestContext& ctx) {
  return with_document_race([&] {
    return store::write_tx(db_, [&](store::Connection& c) -> Result<PatientView> {
      STORK_TX(tx, &who, ctx);
      if (auto s = tx.authorize(id); !s) return fail(s.error());
      auto st = tx.load_active(id);
      if (!st) return fail(st.error());
      if (st->view.id_type)
        return fail(Error::conflict("identity_complete", "this patient already has a document on record"));
      FieldErrors errors;
      std::string name = in.name.empty() ? st->view.name : trim_spaces(in.name);
      if (!in.name.empty()) add_all(errors, check_name(in.name));
      std::optional<IdType> type;
      const std::string number = normalize_id_number(in.id_number);
      check_document_fields(errors, in.id_type, number, parse_date(st->view.birth_date), st->view.sex, tx.today,
                            type);
      if (auto s = errors.status(); !s) return fail(s.error());
      const std::string index = tx.id_index(number);
      auto owner = tx.document_owner(index);
      if (!owner) return fail(owner.error());
      if (*owner) return fail(document_taken(who, **owner));
      if (auto r = c.execute(sql::kSetDocument, {id, std::string(id_type_name(*type)), cipher_.encrypt(number, kIdColumn),
                                                 index, name, name_key(name), clock_.now_ms()});
          !r)
        return fail(r.error());
      if (auto s = tx.audit("patient.identity_complete", id, std::string(id_type_name(*type))); !s)
        return fail(s.error());
      auto updated = tx.load(id);
      if (!updated) return fail(updated.error());
      return tx.masked(updated->view, false);
    });
  });
}

Result<PatientView> PatientService::merge(const Principal& who, int64_t survivor_id, int64_t merged_id,
                                          const std::string& reason, const RequestContext& ctx) {
  if (survivor_id == merged_id) return fail(Error::invalid("merged_id", "a record cannot be merged into itself"));
  if (reason.size() > 500) return fail(Error::invalid("reason", "must be at most 500 bytes"));
  return store::write_tx(db_, [&](store::Connection& c) -> Result<PatientView> {
    STORK_TX(tx, &who, ctx);
    if (auto s = tx.require_staff(); !s) return fail(s.error());
    auto survivor = tx.load_active(survivor_id);
    if (!survivor) return fail(survivor.error());
    auto merged = tx.load_active(merged_id, "merged_id");
    if (!merged) return fail(merged.error());
    const int64_t now = clock_.now_ms();
    for (const auto* step : {&sql::kCopyChildLinks, &sql::kCopyGuardianLinks})
      if (auto r = c.execute(*step, {merged_id, survivor_id}); !r) return fail(r.error());
    if (auto r = c.execute(sql::kDeleteLinksOf, {merged_id}); !r) return fail(r.error());
    // Links that now point from the survivor to herself cannot exist (the
    // copies skip them), but a cycle through the merged record could: check.
    if (auto r = c.execute(sql::kMoveAccounts, {merged_id, survivor_id}); !r) return fail(r.error());
    // The survivor keeps her document; she takes the merged one's if she had none.
    auto doc = c.query(sql::kSelectDocumentOf, {merged_id});
    if (!doc) return fail(doc.error());
    if (auto r = c.execute(sql::kClearDocument, {merged_id, now}); !r) return fail(r.error());
    if (!survivor->view.id_type && !(*doc)[0].is_null(0))
      if (auto r = c.execute(sql::kTakeDocument, {survivor_id, (*doc)[0].value(0), (*doc)[0].value(1),
                                                  (*doc)[0].value(2), now});
          !r)
        return fail(r.error());
    for (const auto& step : merge_steps_)
      if (auto s = step(c, merged_id, survivor_id); !s) return fail(s.error());
    if (auto r = c.execute(sql::kSetMergedInto, {merged_id, survivor_id, now}); !r) return fail(r.error());
    if (auto s = tx.audit("patient.merge", merged_id,
                          "merged into " + std::to_string(survivor_id) + (reason.empty() ? "" : ": " + reason));
        !s)
      return fail(s.error());
    if (auto s = tx.audit("patient.merge", survivor_id, "absorbed " + std::to_string(merged_id)); !s)
      return fail(s.error());
    auto updated = tx.load(survivor_id);
    if (!updated) return fail(updated.error());
    return tx.masked(updated->view, false);
  });
}

Result<CardView> PatientService::card(const Principal& who, int64_t id, const RequestContext& ctx) {
  return store::write_tx(db_, [&](store::Connection& c) -> Result<CardView> {
    STORK_TX(tx, &who, ctx);
    if (auto s = tx.authorize(id); !s) return fail(s.error());
    auto st = tx.load_active(id);
    if (!st) return fail(st.error());
    if (auto s = tx.audit("card.show", id); !s) return fail(s.error());
    return tx.card_view(*st);
  });
}

Result<CardView> PatientService::reissue_card(const Principal& who, int64_t id, const std::string& reason,
                                              const RequestContext& ctx) {
  if (reason.size() > 500) return fail(Error::invalid("reason", "must be at most 500 bytes"));
  return store::write_tx(db_, [&](store::Connection& c) -> Result<CardView> {
    STORK_TX(tx, &who, ctx);
    if (auto s = tx.authorize(id); !s) return fail(s.error());
    if (auto st = tx.load_active(id); !st) return fail(st.error());
    if (auto r = c.query(sql::kBumpCardVersion, {id, clock_.now_ms()}); !r) return fail(r.error());
    if (auto s = tx.audit("card.reissue", id, reason); !s) return fail(s.error());
    auto st = tx.load(id);
    if (!st) return fail(st.error());
    return tx.card_view(*st);
  });
}

Result<PatientView> PatientService::resolve_card(const Principal& who, std::string_view qr, const RequestContext& ctx) {
  auto claims = signer_.verify(qr, clock_.now_ms());
  std::optional<Error> refusal;
  auto out = store::write_tx(db_, [&](store::Connection& c) -> Result<PatientView> {
    STORK_TX(tx, &who, ctx);
    if (auto s = tx.require_staff(); !s) return fail(s.error());
    if (!claims) {
      refusal = claims.error();
      if (auto s = audit_.append(c, {who.audit_name(), "card.resolve", "patient", "", "failure", claims.error().code},
                                      ctx);
          !s)
        return fail(s.error());
      return PatientView{};
    }
    auto st = tx.load(claims->patient_id);
    if (!st) return fail(Error::invalid("qr", "this card belongs to no patient on record"));
    if (st->view.merged_into || st->card_version != claims->version) {
      Error e = Error::invalid("qr", st->view.merged_into
                                         ? "this card was replaced: the record was merged into another one"
                                         : "this card was replaced by a newer one; show the current card");
      e.code = "card_replaced";
      if (st->view.merged_into) e = std::move(e).with("merged_into", *st->view.merged_into);
      refusal = e;
      if (auto s = tx.audit("card.resolve", st->view.id, "card_replaced", "failure"); !s) return fail(s.error());
      return PatientView{};
    }
    if (auto s = tx.audit("card.resolve", st->view.id); !s) return fail(s.error());
    return tx.masked(st->view, false);
  });
  if (!out) return out;
  if (refusal) return fail(*refusal);
  return out;
}

Status PatientService::authorize(const Principal& who, int64_t patient_id) {
  if (is_staff(who)) return {};
  const RequestContext ctx;
  return db_.read([&](store::Connection& c) -> Status {
    STORK_TX(tx, &who, ctx);
    return tx.authorize(patient_id);
  });
}

Status PatientService::require_active(int64_t id, std::string_view field) {
  auto rows = store::read_tx(db_, [&](store::Connection& c) -> Result<store::Rows> { return c.query(sql::kSelectById, {id}); });
  if (!rows) return fail(rows.error());
  if (rows->empty()) return fail(Error::invalid(std::string(field), "no such patient"));
  if (auto merged = (*rows)[0].opt_integer(15))
    return fail(Error::invalid(std::string(field), "this record was merged into patient " + std::to_string(*merged))
                    .with("merged_into", *merged));
  return {};
}

Result<PatientBasics> PatientService::basics(store::Connection& c, int64_t id) const {
  auto rows = c.query(sql::kSelectBasics, {id});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return fail(Error::not_found("patient " + std::to_string(id)));
  const auto& r = (*rows)[0];
  return PatientBasics{r.text(0), r.text(1), r.text(2)};
}

Result<std::optional<int64_t>> PatientService::match(store::Connection& c, std::string_view card_no,
                                                     std::string_view id_number) const {
  constexpr size_t kMergedInto = 15;  // in STORK_PATIENT_COLUMNS
  Result<store::Rows> rows = store::Rows{};
  if (!card_no.empty()) rows = c.query(sql::kSelectByCard, {std::string(card_no)});
  if (rows && rows->empty() && !id_number.empty())
    rows = c.query(sql::kSelectByDocument, {cipher_.blind_index(normalize_id_number(id_number), kIdColumn)});
  if (!rows) return fail(rows.error());
  if (rows->empty()) return std::optional<int64_t>();
  const auto& r = rows->front();
  return std::optional<int64_t>(r.opt_integer(kMergedInto).value_or(r.integer(0)));
}

Result<int64_t> PatientService::count() {
  return store::read_tx(db_, [&](store::Connection& c) -> Result<int64_t> {
    auto rows = c.query(sql::kCountPatients);
    if (!rows) return fail(rows.error());
    return (*rows)[0].integer(0);
  });
}

Result<std::optional<int64_t>> PatientService::self_of(int64_t account_id) {
  const RequestContext ctx;
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::optional<int64_t>> {
    STORK_TX(tx, nullptr, ctx);
    return tx.self_of_account(account_id);
  });
}

}  // namespace stork::patients
