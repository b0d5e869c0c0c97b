using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LockboxPortal.Features.Audit;

public enum AuditExportFormat
{
    Json,
    Csv,
}

/// <summary>
/// One exported entry: every field of the canonical form, as the strings that were hashed, plus the event's
/// name for people. The field names and order are documented in docs/audit-trail.md; do not change them.
/// </summary>
public sealed record AuditExportRow(
    string ChainId,
    long Sequence,
    string OccurredAt,
    string ActorId,
    string ActorName,
    string? OnBehalfOfId,
    string? OnBehalfOfName,
    string? TenantId,
    int EventType,
    string EventName,
    string SubjectType,
    string SubjectId,
    string? ClientAddress,
    string? UserAgent,
    string Details,
    string PreviousHash,
    string Hash)
{
    public static AuditExportRow From(AuditEntry entry) => new(
        entry.ChainId.ToString("D"),
        entry.Sequence,
        AuditEntry.FormatTimestamp(entry.OccurredAt),
        entry.ActorId,
        entry.ActorName,
        entry.OnBehalfOfId,
        entry.OnBehalfOfName,
        entry.TenantId?.ToString("D"),
        (int)entry.EventType,
        entry.EventType.ToString(),
        entry.SubjectType,
        entry.SubjectId,
        entry.ClientAddress,
        entry.UserAgent,
        entry.DetailsJson,
        entry.PreviousHash,
        entry.Hash);

    /// <summary>The CSV header, in column order.</summary>
    public static readonly string[] Columns =
    [
        "chainId", "sequence", "occurredAt", "actorId", "actorName", "onBehalfOfId", "onBehalfOfName", "tenantId",
        "eventType", "eventName", "subjectType", "subjectId", "clientAddress", "userAgent", "details", "previousHash", "hash",
    ];

    public string?[] Values() =>
    [
        ChainId, Sequence.ToString(CultureInfo.InvariantCulture), OccurredAt, ActorId, ActorName, OnBehalfOfId, OnBehalfOfName, TenantId,
        EventType.ToString(CultureInfo.InvariantCulture), EventName, SubjectType, SubjectId, ClientAddress, UserAgent, Details, PreviousHash, Hash,
    ];
}

/// <summary>Writes entries as CSV (RFC 4180) or as one JSON document, streaming: nothing is held in memory.</summary>
public static class AuditExportWriter
{
    // A download, never embedded in HTML, so quotes in details need not be escaped as \u0022 to be safe.
    private static readonly JsonSerializerOptions RowOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string ContentType(AuditExportFormat format) => format == AuditExportFormat.Csv ? "text/csv" : "application/json";

    public static string FileName(AuditChainInfo chain, AuditExportFormat format, DateTimeOffset now) =>
        $"audit-{chain.ShortName}-{now.UtcDateTime:yyyyMMdd-HHmmss}.{(format == AuditExportFormat.Csv ? "csv" : "json")}";

    public static async Task WriteAsync(
        AuditExportFormat format, AuditChainInfo chain, AuditQuery query, DateTimeOffset exportedAt,
        IAsyncEnumerable<AuditEntry> entries, TextWriter output, CancellationToken cancellationToken = default, AuditCheckpoint? checkpoint = null)
    {
        if (format == AuditExportFormat.Csv)
        {
            await WriteCsvAsync(entries, output, cancellationToken);
        }
        else
        {
            await WriteJsonAsync(chain, query, exportedAt, entries, output, checkpoint, cancellationToken);
        }

        await output.FlushAsync(cancellationToken);
    }

    private static async Task WriteCsvAsync(IAsyncEnumerable<AuditEntry> entries, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteAsync(CsvLine(AuditExportRow.Columns));
        await foreach (var entry in entries.WithCancellation(cancellationToken))
        {
            await output.WriteAsync(CsvLine(AuditExportRow.From(entry).Values()));
        }
    }

    private static async Task WriteJsonAsync(
        AuditChainInfo chain, AuditQuery query, DateTimeOffset exportedAt, IAsyncEnumerable<AuditEntry> entries, TextWriter output,
        AuditCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        // The envelope is written by hand so that entries can stream; each entry is serialized on its own.
        var header = new StringBuilder()
            .Append("{\"format\":\"lockboxportal-audit/1\"")
            .Append(",\"chainId\":").Append(JsonSerializer.Serialize(chain.ChainId.ToString("D"), RowOptions))
            .Append(",\"tenant\":").Append(JsonSerializer.Serialize(chain.TenantId is null ? null : chain.ShortName, RowOptions))
            .Append(",\"exportedAt\":").Append(JsonSerializer.Serialize(AuditEntry.FormatTimestamp(exportedAt), RowOptions))
            .Append(",\"filtered\":").Append(query.IsFiltered ? "true" : "false")
            .Append(",\"entries\":[");
        await output.WriteAsync(header.ToString());
        var first = true;
        await foreach (var entry in entries.WithCancellation(cancellationToken))
        {
            await output.WriteAsync(first ? "\n" : ",\n");
            await output.WriteAsync(JsonSerializer.Serialize(AuditExportRow.From(entry), RowOptions));
            first = false;
        }

        // The signed head the export ends at (docs/audit-trail.md): keep it, and a later re-write or cut shows.
        await output.WriteAsync("\n],\"checkpoint\":");
        await output.WriteAsync(checkpoint is null ? "null" : JsonSerializer.Serialize(checkpoint.ToDocument(), RowOptions));
        await output.WriteAsync("}\n");
    }

    /// <summary>
    /// RFC 4180: quote a field holding a comma, quote, CR or LF, and double its quotes; lines end in CRLF. A cell that
    /// a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a CR) gets a leading apostrophe, and
    /// so does one that starts with an apostrophe itself, so a verifier drops exactly one leading apostrophe
    /// (docs/audit-trail.md): a display name such as <c>=HYPERLINK(...)</c> stays text.
    /// </summary>
    public static string CsvLine(IEnumerable<string?> values) =>
        string.Join(',', values.Select(CsvField)) + "\r\n";

    /// <summary>What makes a spreadsheet treat a cell as a formula, and the apostrophe that marks one neutralized.</summary>
    public const string FormulaLeaders = "=+-@\t\r'";

    private static string CsvField(string? value)
    {
        value ??= "";
        if (value.Length > 0 && FormulaLeaders.Contains(value[0]))
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
