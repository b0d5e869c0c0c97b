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
            AuditEventType.AccessRequest_Filed => ($"Filed by {who}", RequestHistoryTone.Neutral),
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
            AuditEventType.AccessRequest_Escalated => ("Escalated: the escalation approvers may decide it now", RequestHistoryTone.Neutral),
            AuditEventType.Notification_ReminderSent => ("Approvers reminded", RequestHistoryTone.Neutral),
            AuditEventType.AccessRequest_QuestionAsked => ($"Question from {who}", RequestHistoryTone.Neutral),
            AuditEventType.AccessRequest_QuestionAnswered => ($"Answered by {who}", RequestHistoryTone.Neutral),
            _ => ($"{entry.EventType} by {who}", RequestHistoryTone.Neutral),
        };
        return new RequestHistoryItem(entry.Sequence, entry.OccurredAt, text, CommentOf(entry.DetailsJson), tone);
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
