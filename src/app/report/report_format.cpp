#include "boshtap/app/report/report_format.hpp"

#include <boost/json/serialize.hpp>

namespace boshtap::app::report {

std::string format_report(Format format, const std::vector<Meeting>& meetings,
                          const InputSummary& input)
{
    switch (format) {
    case Format::csv: return format_csv(meetings);
    case Format::json: return boost::json::serialize(report_json(meetings, input)) + '\n';
    case Format::table: break;
    }
    return format_table(meetings, input);
}

} // namespace boshtap::app::report
