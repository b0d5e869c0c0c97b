namespace LockboxPortal.Features.Notifications;

public enum OutboxChannel
{
    Email,
    Webhook,
}

/// <summary>
/// One message to leave the system, written in the same transaction as the change that causes it and sent later by
/// the <see cref="OutboxDispatcher"/>. <see cref="Id"/> is stable across attempts and nodes (the email's Message-ID,
/// a webhook's <c>webhook-id</c>), so a receiver that sees a message twice can tell.
/// </summary>
/// <remarks>
/// A node claims a message by a conditional update of <see cref="LeaseUntil"/> and sends only when that update
/// changed one row, so two nodes never both hold it. A node that stops between sending and recording the send lets
/// its lease run out, and the message goes once more with the same id: at least once, never silently lost.
/// </remarks>
public sealed class OutboxMessage
{
    public const int MaxAttempts = 12;

    private OutboxMessage()
    {
        Type = "";
        SubjectId = "";
        Recipient = "";
        Content = "";
    }

    public OutboxMessage(Guid id, OutboxChannel channel, string type, Guid? tenantId, string subjectId, string recipient, string content, DateTimeOffset now, DateTimeOffset? notBefore = null)
    {
        Id = id;
        Channel = channel;
        Type = type;
        TenantId = tenantId;
        SubjectId = subjectId;
        Recipient = recipient;
        Content = content;
        CreatedAt = now;
        DueAt = notBefore ?? now;
    }

    public Guid Id { get; private set; }

    public OutboxChannel Channel { get; private set; }

    /// <summary>What happened, e.g. <c>AccessRequest.InternalApproved</c> or <c>Grant.EndingSoon</c>.</summary>
    public string Type { get; private set; }

    public Guid? TenantId { get; private set; }

    /// <summary>The request or delegation the message is about.</summary>
    public string SubjectId { get; private set; }

    /// <summary>An email address, or a webhook endpoint's id.</summary>
    public string Recipient { get; private set; }

    /// <summary>What is sent, as JSON (an <see cref="EmailContent"/> for email).</summary>
    public string Content { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Not sent before this moment: now for most, later for a scheduled notice or a retry.</summary>
    public DateTimeOffset DueAt { get; private set; }

    public int Attempts { get; private set; }

    /// <summary>While in the future, one node is sending this message and no other may claim it.</summary>
    public DateTimeOffset? LeaseUntil { get; private set; }

    public string? LeaseOwner { get; private set; }

    public DateTimeOffset? SentAt { get; private set; }

    /// <summary>After <see cref="MaxAttempts"/> failures the message is no longer tried.</summary>
    public DateTimeOffset? GaveUpAt { get; private set; }

    public string? LastError { get; private set; }

    /// <summary>Exponential: 30 s after the first failure, doubling, at most an hour.</summary>
    public static TimeSpan BackoffAfter(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Max(0, attempts - 1))));
}
