using System.Text.Json;
using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Features.Audit;

/// <summary>One line of a request's history, read from its audit entry.</summary>
public sealed record RequestHistoryItem(long Sequence, DateTimeOffset At, string Text, string? Comment, RequestHistoryTone Tone)
{
    public static RequestHistoryItem From(AuditEntry entry)
    {
        var who = entry.OnBehalfOfName is { } onBehalfOf ? $"{entry.ActorName} on behalf of {onBehalfOf}" : entry.ActorName;
        var (text, tone) = entry.EventType switch
        {
            AuditEventType.AccessRequest_Filed => ($"Filed by {who}{FiledFor(entry.DetailsJson)}", RequestHistoryTone.Neutral),
            AuditEventType.AccessRequest_InternalApproved => ($"Provider approved by {who}", RequestHistoryTone.Positive),
            AuditEventType.AccessRequest_InternalDenied => ($"Provider denied by {who}", RequestHistoryTone.Negative),
            AuditEventType.AccessRequest_CustomerApproved => ($"Customer approved by {who}", RequestHistoryTone.Positive),
            AuditEventType.AccessRequest_CustomerRejected => ($"Customer rejected by {who}", RequestHistoryTone.Negative),
            AuditEventType.AccessRequest_Cancelled => ($"Cancelled by {who}", RequestHistoryTone.Neutral),
            AuditEventType.AccessRequest_Expired => ("Expired: nobody decided in time", RequestHistoryTone.Neutral),
            AuditEventType.Grant_Opened => ("Access granted", RequestHistoryTone.Positive),
            AuditEventType.Grant_Revoked => ($"Access revoked by {who}", RequestHistoryTone.Negative),
            AuditEventType.Grant_Released => ($"Access ended early by {who}", RequestHistoryTone.Neutral),
            AuditEventType.Grant_Completed => ("Access ended: the grant ran out", RequestHistoryTone.Neutral),
            AuditEventType.Grant_ExtensionRequested => ($"More time asked for by {who}", RequestHistoryTone.Neutral),
            AuditEventType.Grant_Extended => ("More time granted: the grant ends later", RequestHistoryTone.Positive),
            AuditEventType.Grant_AccessChecked => ($"Access checked for {who}", RequestHistoryTone.Neutral),
            AuditEventType.Grant_ActivityReported => ($"Actions reported by {who}", RequestHistoryTone.Neutral),
            AuditEventType.Grant_ChecksCounted => ("Access checks counted", RequestHistoryTone.Neutral),
            AuditEventType.AccessRequest_Escalated => ("Escalated: the escalation approvers may decide it now", RequestHistoryTone.Neutral),
            AuditEventType.Notification_ReminderSent => ("Approvers reminded", RequestHistoryTone.Neutral),
            AuditEventType.AccessRequest_QuestionAsked => ($"Question from {who}", RequestHistoryTone.Neutral),
            AuditEventType.AccessRequest_QuestionAnswered => ($"Answered by {who}", RequestHistoryTone.Neutral),
            AuditEventType.Emergency_Declared => ($"Emergency declared by {who}: access opened before the customer's approval", RequestHistoryTone.Negative),
            AuditEventType.Emergency_Ratified => ("Emergency ratified by the customer", RequestHistoryTone.Positive),
            AuditEventType.Emergency_Rejected => ($"Emergency rejected by {who}", RequestHistoryTone.Negative),
            AuditEventType.Emergency_Unratified => ("Emergency unratified: nobody ratified or rejected it in time", RequestHistoryTone.Negative),
            AuditEventType.Emergency_Reviewed => ($"Unratified emergency reviewed by {who}", RequestHistoryTone.Neutral),
            _ => ($"{entry.EventType} by {who}", RequestHistoryTone.Neutral),
        };
        // A filing's details name its reason code, which the line says in words; nobody typed a comment there.
        var comment = entry.EventType == AuditEventType.AccessRequest_Filed ? null : CommentOf(entry.DetailsJson);
        return new RequestHistoryItem(entry.Sequence, entry.OccurredAt, text, comment, tone);
    }

    /// <summary>" for maintenance" and the like: the filing's reason in words, or nothing when it names none.</summary>
    private static string FiledFor(string detailsJson)
    {
        try
        {
            using var details = JsonDocument.Parse(detailsJson);
            return details.RootElement.ValueKind == JsonValueKind.Object
                && details.RootElement.TryGetProperty("reason", out var value) && value.ValueKind == JsonValueKind.String
                && Enum.TryParse<AccessRequests.RequestReason>(value.GetString(), out var reason) && Enum.IsDefined(reason)
                    ? " for " + char.ToLowerInvariant(reason.Words()[0]) + reason.Words()[1..]
                    : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <summary>The comment or reason a person typed (or the answer, or the question), if the entry's details hold one.</summary>
    private static string? CommentOf(string detailsJson)
    {
        try
        {
            using var details = JsonDocument.Parse(detailsJson);
            if (details.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var name in (string[])["comment", "reason", "answer", "question"])
            {
                if (details.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                {
                    return text;
                }
            }
        }
        catch (JsonException)
        {
            // Details are written by the portal as JSON; a history line without its comment beats no history.
        }

        return null;
    }
}

public enum RequestHistoryTone
{
    Neutral,
    Positive,
    Negative,
}
