#pragma once
// JSON shapes of the patients module, shared by the patient and portal routes.
#include <boost/json.hpp>
#include <vector>

#include "patients/model.hpp"

namespace stork::http {

boost::json::object patient_json(const patients::PatientView& p);
boost::json::array patients_json(const std::vector<patients::PatientView>& list);
boost::json::object family_json(const patients::Family& f);
boost::json::object card_json(const patients::CardView& c);

}  // namespace stork::http
