using System.Text.Json;
using System.Text.RegularExpressions;

namespace LockboxPortal.Features.Audit;

/// <summary>
/// An audit entry as a sentence a person reads ("Alex Approver approved LBX-2026-000002 for Contoso"), its subject as a
/// link where the portal has a page for it, and its details as named fields. The entry itself is unchanged: the event
/// code, the raw JSON and the hash stay one click away.
/// </summary>
public sealed partial record AuditSentence(string Before, string? Subject, string? SubjectHref, string After, IReadOnlyList<(string Name, string Value)> Fields)
{
    public string Text => $"{Before}{Subject}{After}";

    /// <summary>"1103 AccessRequest_CustomerApproved": what the tooltip and exports name the event by.</summary>
    public static string Code(AuditEntry entry) => $"{(int)entry.EventType} {entry.EventType}";

    /// <param name="trailName">The trail's owner (a tenant's name, or the provider's), said where a decision was made for it.</param>
    public static AuditSentence Of(AuditEntry entry, string trailName)
    {
        var fields = FieldsOf(entry.DetailsJson);
        var who = entry.OnBehalfOfName is { } onBehalfOf ? $"{entry.ActorName} (on behalf of {onBehalfOf})" : entry.ActorName;
        var reference = Value(fields, "Reference");
        var (subject, href) = entry.SubjectType switch
        {
            "AccessRequest" when Guid.TryParse(entry.SubjectId, out var id) => (reference ?? "a request", $"requests/{id}"),
            "User" => (Value(fields, "DisplayName") ?? Value(fields, "Email") ?? Value(fields, "Name") ?? "a person", null),
            "Tenant" => (Value(fields, "Name") ?? "a tenant", null),
            _ => ((string?)null, (string?)null),
        };

        (string Before, string After) parts = entry.EventType switch
        {
            AuditEventType.AccessRequest_Filed => ($"{who} filed ", $" for {trailName}"),
            AuditEventType.AccessRequest_InternalApproved => ($"{who} approved ", " for the provider"),
            AuditEventType.AccessRequest_InternalDenied => ($"{who} denied ", " for the provider"),
            AuditEventType.AccessRequest_CustomerApproved => ($"{who} approved ", $" for {trailName}"),
            AuditEventType.AccessRequest_CustomerRejected => ($"{who} rejected ", $" for {trailName}"),
            AuditEventType.AccessRequest_Cancelled => ($"{who} cancelled ", ""),
            AuditEventType.AccessRequest_Expired => ("", " expired without a decision"),
            AuditEventType.AccessRequest_QuestionAsked => ($"{who} asked the engineer a question about ", ""),
            AuditEventType.AccessRequest_QuestionAnswered => ($"{who} answered a question about ", ""),
            AuditEventType.Emergency_Declared => ($"{who} declared an emergency: ", " (access open before the customer's approval)"),
            AuditEventType.Emergency_Ratified => ("The customer ratified the emergency ", ""),
            AuditEventType.Emergency_Rejected => ($"{who} rejected the emergency ", ""),
            AuditEventType.Emergency_Unratified => ("The emergency ", " was not ratified in time (unratified)"),
            AuditEventType.Emergency_Reviewed => ($"{who} reviewed the unratified emergency ", ""),
            AuditEventType.Grant_Opened => ("Access opened for ", ""),
            AuditEventType.Grant_Revoked => ($"{who} revoked the access of ", ""),
            AuditEventType.Grant_Released => ($"{who} released the access of ", ""),
            AuditEventType.Grant_Completed => ("The access of ", " ended at the end of its window"),
            AuditEventType.Grant_AccessChecked => ($"The access of {who} was checked", ""),
            AuditEventType.Grant_ActivityReported => ($"{who} reported {Value(fields, "Count") ?? "some"} actions under ", ""),
            AuditEventType.Grant_AccessRefusalsCounted => ($"{who} was refused {Value(fields, "Repeats") ?? "some"} more access checks in one minute", $" ({Words(Value(fields, "Reason") ?? "")})"),
            AuditEventType.Grant_ChecksCounted => ($"Access checks counted under ", $": {Value(fields, "Allowed") ?? "0"} allowed, {Value(fields, "Refused") ?? "0"} refused in one minute"),
            AuditEventType.GrantToken_Issued => ($"{who} fetched a grant token for ", ""),
            AuditEventType.SignIn_Succeeded => ($"{who} signed in", ""),
            AuditEventType.SignIn_Failed => ($"A sign-in as {who} failed", ""),
            AuditEventType.SignIn_LockedOut => ($"{who} was locked out after failed sign-ins", ""),
            AuditEventType.SignOut => ($"{who} signed out", ""),
            AuditEventType.Quorum_AtRisk => ("Too few approvers can decide in ", $": {Value(fields, "CanDecide")} can, {Value(fields, "Quorum")} needed"),
            AuditEventType.Quorum_Restored => ("Enough approvers can decide in ", $" again: {Value(fields, "CanDecide")} can, {Value(fields, "Quorum")} needed"),
            AuditEventType.Operation_Refused => ($"{who} was refused", Value(fields, "Operation") is { } operation ? $": {Words(operation)}" : ""),
            _ => ($"{who}: {Words(entry.EventType.ToString())}{(subject is null ? "" : ", ")}", ""),
        };

        // Sentences without a subject slot read whole; the subject, if any, then follows as its link.
        var hasSlot = parts.Before.EndsWith(' ') || parts.After.StartsWith(' ') || parts.Before.Length == 0;
        return hasSlot
            ? new AuditSentence(parts.Before, subject, href, parts.After, fields)
            : new AuditSentence(parts.Before + parts.After, null, null, "", fields);
    }

    /// <summary>"AccessRequest_CustomerApproved" → "access request customer approved".</summary>
    public static string Words(string identifier) =>
        Capitals().Replace(identifier.Replace('_', ' '), " $1").Trim().ToLowerInvariant().Replace("  ", " ", StringComparison.Ordinal);

    private static string? Value(IReadOnlyList<(string Name, string Value)> fields, string name) =>
        fields.FirstOrDefault(f => string.Equals(f.Name, Words(name), StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } value ? value : null;

    /// <summary>The top-level fields of the details, named in words; nested values as their JSON.</summary>
    private static List<(string Name, string Value)> FieldsOf(string detailsJson)
    {
        try
        {
            using var details = JsonDocument.Parse(detailsJson);
            if (details.RootElement.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            return details.RootElement.EnumerateObject()
                .Where(p => p.Value.ValueKind is not JsonValueKind.Null)
                .Select(p => (Words(p.Name), p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText()))
                .ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex Capitals();
}
