// The hospital directory: departments, clinics, rooms, practitioners.
// Public: patients browse it before signing in to book.
#include "http/json.hpp"
#include "http/problem.hpp"
#include "http/routes/routes.hpp"

namespace stork::http {

void add_directory_routes(Router& router, scheduling::DirectoryService& directory) {
  router.add({.method = "GET", .pattern = "/api/v1/directory", .access = Access::anyone(),
              .handler = [&directory](Request& req) {
                auto d = directory.load();
                if (!d) return problem(d.error(), req.request_id);
                namespace json = boost::json;
                json::array departments, clinics, rooms, practitioners;
                for (const auto& x : d->departments) {
                  json::object o{{"id", x.id}, {"code", x.code}, {"name_zh", x.name_zh}, {"name_en", x.name_en}};
                  o["parent_code"] = x.parent_code ? json::value(*x.parent_code) : json::value();
                  departments.push_back(std::move(o));
                }
                for (const auto& x : d->clinics)
                  clinics.push_back({{"id", x.id}, {"code", x.code}, {"department_code", x.department_code},
                                     {"name_zh", x.name_zh}, {"name_en", x.name_en}, {"clinic_type", x.clinic_type}});
                for (const auto& x : d->rooms)
                  rooms.push_back({{"id", x.id}, {"code", x.code}, {"department_code", x.department_code},
                                   {"name", x.name}, {"kind", x.kind}});
                for (const auto& x : d->practitioners)
                  practitioners.push_back({{"id", x.id}, {"name", x.name}, {"title", x.title},
                                           {"department_code", x.department_code}});
                return json_response(200, {{"departments", departments}, {"clinics", clinics},
                                           {"rooms", rooms}, {"practitioners", practitioners}});
              }});
}

}  // namespace stork::http
