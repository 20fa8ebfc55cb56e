#pragma once
// Plain data of the patients module (FHIR Patient / RelatedPerson in shape).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "patients/identity.hpp"

namespace stork::patients {

// A registration as the client sent it; the service validates every field
// and reports all problems at once.
struct NewPatient {
  std::string name;
  std::string sex;         // "female" | "male"
  std::string birth_date;  // YYYY-MM-DD
  std::string id_type = "resident_id";
  std::string id_number;   // may be empty only for a child registered by a guardian
  std::string phone;       // may be empty for a child: the guardian's is used
  bool phone_foreign = false;
  std::string address;
  std::string ethnicity;
  std::string allergies;
  // The clerk saw the likely duplicates and confirms this is someone else.
  bool confirmed_not_duplicate = false;
};

struct PatientPatch {
  std::optional<std::string> name;
  std::optional<std::string> phone;
  std::optional<bool> phone_foreign;
  std::optional<std::string> address;
  std::optional<std::string> ethnicity;
  std::optional<std::string> allergies;
};

// A newborn before she has a document: "<mother's name>之女" until
// complete_identity() gives her a name and a number.
struct NewNewborn {
  std::string sex;
  std::string birth_date;  // YYYY-MM-DD, local
  std::string birth_time;  // HH:MM, local
  std::string relationship = "mother";
};

struct IdentityCompletion {
  std::string name;  // empty: keep the temporary name
  std::string id_type;
  std::string id_number;
};

// What other modules may read of a patient inside their own transaction.
struct PatientBasics {
  std::string name;
  std::string sex;         // female | male
  std::string birth_date;  // YYYY-MM-DD
};

// A patient as shown to a caller: document number and phone are masked
// unless the caller may see them in full (then `revealed` is true and the
// view was audited as such).
struct PatientView {
  int64_t id = 0;
  std::string card_no;
  std::string name;
  Sex sex = Sex::female;
  std::string birth_date;
  std::string birth_time;  // newborns
  int age = 0;
  std::optional<IdType> id_type;  // empty: newborn without a document yet
  std::string id_number;          // masked unless revealed
  std::string phone;              // masked unless revealed
  bool phone_foreign = false;
  std::string address;
  std::string ethnicity;
  std::string allergies;
  bool temporary_identity = false;
  bool revealed = false;
  std::optional<int64_t> merged_into;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct FamilyMember {
  PatientView patient;
  std::string relationship;  // of the guardian to this child ("mother", "father", "guardian")
};

struct Family {
  PatientView patient;
  std::vector<FamilyMember> children;
  std::vector<FamilyMember> guardians;  // relationship: theirs to this patient
};

enum class SearchBy { card_no, id_number, phone, name };

struct SearchQuery {
  SearchBy by = SearchBy::name;
  std::string value;
  bool prefix = false;  // name only
  int limit = 20;
};

// Either the new patient, or, for a likely duplicate not yet confirmed, the
// records the clerk should look at first.
struct Registration {
  std::optional<PatientView> created;
  std::vector<PatientView> candidates;
};

struct CardView {
  int64_t patient_id = 0;
  std::string card_no;
  int64_t version = 0;
  std::string qr;  // the signed token the QR code carries
  int64_t qr_expires_at_ms = 0;
};

}  // namespace stork::patients
