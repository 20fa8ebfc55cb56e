#pragma once
// The hospital directory the appointment platform books against:
// departments, their clinics, rooms and exam devices, and practitioners.
// (FHIR: Organization/HealthcareService, Location, Practitioner.)
#include <cstdint>
#include <optional>
#include <string>

namespace stork::scheduling {

// Clinic types of DESIGN.md §2 and the reference hospital (Table 1).
// "exam" clinics book a room or device rather than a doctor.
inline constexpr const char* kClinicTypes[] = {"general", "expert", "special_needs", "mdt",
                                               "special", "exam"};

struct Department {
  int64_t id = 0;
  std::string code;  // stable short code, e.g. "OB"
  std::string name_zh;
  std::string name_en;
  std::optional<std::string> parent_code;  // subspecialties point to their department
};

struct Clinic {
  int64_t id = 0;
  std::string code;
  std::string department_code;
  std::string name_zh;
  std::string name_en;
  std::string clinic_type;  // one of kClinicTypes
};

struct Room {
  int64_t id = 0;
  std::string code;
  std::string department_code;
  std::string name;
  std::string kind;  // "consultation", "ultrasound", "radiology", "lab_draw", "treatment"
};

// Doctor titles set registration fee levels (issue: billing).
inline constexpr const char* kDoctorTitles[] = {"resident", "attending", "associate_chief", "chief"};

struct Practitioner {
  int64_t id = 0;
  std::string name;
  std::string title;  // one of kDoctorTitles
  std::string department_code;
  std::optional<int64_t> user_id;  // the staff account, when she signs in
};

}  // namespace stork::scheduling
