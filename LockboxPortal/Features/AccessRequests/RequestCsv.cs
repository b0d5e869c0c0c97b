using System.Globalization;
using System.Text;

namespace LockboxPortal.Features.AccessRequests;

/// <summary>Requests as CSV (RFC 4180), one row each, times in UTC ISO 8601 so a spreadsheet sorts them.</summary>
public static class RequestCsv
{
    private static readonly string[] Header =
        ["Reference", "Tenant", "Requester", "Scope", "Access", "Status", "Filed (UTC)", "Deadline (UTC)", "Grant ends (UTC)", "Ticket", "Justification", "Reason",
            "Emergency incident", "Ratification"];

    public static string Write(IEnumerable<RequestRow> rows)
    {
        var csv = new StringBuilder();
        Line(csv, Header);
        foreach (var (request, tenant, _) in rows)
        {
            Line(csv,
            [
                request.Reference, tenant, request.RequesterName, request.Scope, RequestWords.Access(request.AccessLevel),
                RequestWords.Status(request.Status), Utc(request.CreatedAt), Utc(request.ExpiresAt), request.GrantEndsAt is { } end ? Utc(end) : "",
                request.TicketReference ?? "", request.Justification, request.Reason.Words(),
                request.IncidentReference ?? "", Ratification(request),
            ]);
        }

        return csv.ToString();
    }

    /// <summary>"Unratified, reviewed" and the like on an emergency; empty on an ordinary request.</summary>
    private static string Ratification(AccessRequest request) => request.Ratification switch
    {
        null => "",
        AccessRequests.Ratification.Unratified => request.ReviewedAt is null ? "Unratified, awaiting review" : "Unratified, reviewed",
        { } r => RequestWords.Ratification(r),
    };

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static void Line(StringBuilder csv, IEnumerable<string> fields)
    {
        csv.AppendJoin(',', fields.Select(Field)).Append("\r\n");
    }

    /// <summary>Quotes a field when needed; a leading =, +, - or @ is prefixed with ' so a spreadsheet never runs it as a formula.</summary>
    private static string Field(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
