#pragma once
// Sample HL7 v2 messages for the unit tests (and the fuzz seed corpus): a
// complete blood count as a hospital LIS sends it. Test data only.
#include <string>

namespace stork::interop::samples {

// Segments joined with \r, the way MLLP carries them.
inline std::string join(std::initializer_list<std::string> segments) {
  std::string out;
  for (const auto& s : segments) out += s + "\r";
  return out;
}

inline const std::string kMsh =
    "MSH|^~\\&|LIS|MCH^Lab|STORK|MCH|20261127083000+0800||ORU^R01^ORU_R01|LAB20261127000123|P|"
    "2.5.1|||AL|NE||UNICODE UTF-8";
inline const std::string kPid =
    "PID|1||900000000421^^^MCH^CARD~110101199003078515^^^CHN^NNCHN||Wang^Fang||19900307|F";
inline const std::string kObr =
    "OBR|1|ORD-5521^HIS|LAB-778812^LIS|CBC^Complete blood count^LN|||20261127071500|||||||||"
    "D0117^Zhao^Min||||||20261127082900|||F|||||||D0042&Li&Na";
inline const std::string kHgb =
    "OBX|1|NM|718-7^Hemoglobin^LN||98|g/L^grams per litre^UCUM|110-150|L|||F|||20261127080000";
inline const std::string kWbc =
    "OBX|2|NM|6690-2^Leukocytes^LN||12.6|10*9/L|4.0-10.0|H|||F|||20261127080000";
inline const std::string kPlt =
    "OBX|3|NM|777-3^Platelets^LN||210|10*9/L|100-300|N|||F|||20261127080000";

// MSH, PID, PV1, ORC, OBR, three OBX (HGB low, WBC high, PLT normal) and a
// note on the platelets.
inline std::string cbc() {
  return join({kMsh, kPid, "PV1|1|O|PED^^^MCH", "ORC|RE|ORD-5521^HIS|LAB-778812^LIS", kObr, kHgb,
               kWbc, kPlt, "NTE|1|L|Specimen slightly haemolysed"});
}

}  // namespace stork::interop::samples
