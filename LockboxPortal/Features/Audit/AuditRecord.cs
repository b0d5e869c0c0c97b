using System.Text.Json;
using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Features.Audit;

/// <summary>What a service asks the audit trail to record; the trail adds time, sequence and hashes.</summary>
public sealed record AuditRecord(
    AuditEventType EventType,
    Actor Actor,
    Guid? TenantId,
    string SubjectType,
    string SubjectId,
    string DetailsJson,
    Actor? OnBehalfOf = null,
    ClientInfo? Client = null)
{
    private static readonly JsonSerializerOptions DetailsOptions = new(JsonSerializerDefaults.Web);

    public static string Details(object details) => JsonSerializer.Serialize(details, DetailsOptions);
}
