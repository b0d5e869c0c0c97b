using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LockboxPortal.Tests.Audit;

/// <summary>
/// A verifier for exported chains written only from docs/audit-trail.md, sharing no code with the portal:
/// if the portal's hashing and the documentation ever drift apart, the export tests fail.
/// </summary>
internal static class IndependentChainVerifier
{
    private static readonly string[] CanonicalFields =
    [
        "chainId", "sequence", "occurredAt", "actorId", "actorName", "onBehalfOfId", "onBehalfOfName", "tenantId",
        "eventType", "subjectType", "subjectId", "clientAddress", "userAgent", "details", "previousHash",
    ];

    /// <summary>"intact, N entries" or "broken at entry N: ...".</summary>
    public static string VerifyJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var entries = document.RootElement.GetProperty("entries").EnumerateArray()
            .Select(entry => entry.EnumerateObject().ToDictionary(
                p => p.Name,
                p => p.Value.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.Number => p.Value.GetRawText(),
                    _ => p.Value.GetString(),
                }))
            .ToList();
        return Verify(entries);
    }

    /// <summary>RFC 4180 CSV with a header row; an empty cell is a missing value.</summary>
    public static string VerifyCsv(string csv)
    {
        var rows = ParseCsv(csv);
        var header = rows[0];
        return Verify(rows.Skip(1).Select(row => header.Zip(row).ToDictionary(c => c.First, c => (string?)Unneutralized(c.Second))).ToList());
    }

    /// <summary>A cell exported with one apostrophe in front (so it cannot be a formula) holds the value after it.</summary>
    private static string Unneutralized(string cell) => cell.StartsWith('\'') ? cell[1..] : cell;

    private static string Verify(List<Dictionary<string, string?>> entries)
    {
        var previous = new string('0', 64);
        var expected = 1L;
        foreach (var entry in entries)
        {
            if (entry["sequence"] != expected.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return $"broken at entry {expected}: found entry {entry["sequence"]}";
            }

            var canonical = new StringBuilder();
            foreach (var name in CanonicalFields)
            {
                var value = entry[name] ?? "";
                canonical.Append(Encoding.UTF8.GetByteCount(value)).Append(':').Append(value).Append(',');
            }

            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
            if (hash != entry["hash"])
            {
                return $"broken at entry {expected}: changed";
            }

            if (entry["previousHash"] != previous)
            {
                return $"broken at entry {expected}: does not link";
            }

            previous = hash;
            expected++;
        }

        return $"intact, {expected - 1} entries";
    }

    private static List<string[]> ParseCsv(string csv)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        return rows;
    }
}
