#pragma once
// The hosted checkout (H5 payment) page the patient's phone opens: the
// order's description and amount, and one button that pays.
#include <string>

#include "paysim/trade_book.hpp"

namespace stork::paysim {

// form_action: where the button POSTs; redirect_url: carried along so the
// browser returns to the merchant afterwards (may be empty).
std::string checkout_page(const SimTrade& t, const std::string& form_action,
                          const std::string& redirect_url);
// A short page for the outcome when there is nowhere to redirect to.
std::string outcome_page(const std::string& title_zh, const std::string& title_en,
                         const std::string& detail);

std::string html_escape(std::string_view s);

}  // namespace stork::paysim
