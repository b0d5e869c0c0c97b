using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Notifications;

/// <summary>
/// A moment at which the approvers of a request awaiting them are reminded: half of its pending window, and one hour
/// before it expires. Stored when the request reaches the customer stage (in that transaction), applied by the
/// deadline timer (<see cref="ReminderDeadlines"/>), so reminders survive restarts and happen once across nodes.
/// </summary>
public sealed class RequestReminder
{
    public static readonly TimeSpan LastCallBeforeExpiry = TimeSpan.FromHours(1);

    private RequestReminder()
    {
    }

    public RequestReminder(Guid id, Guid requestId, Guid tenantId, DateTimeOffset dueAt)
    {
        Id = id;
        RequestId = requestId;
        TenantId = tenantId;
        DueAt = dueAt;
    }

    public Guid Id { get; private set; }

    public Guid RequestId { get; private set; }

    public Guid TenantId { get; private set; }

    public DateTimeOffset DueAt { get; private set; }

    /// <summary>When it was applied (sent, or found pointless because the request was no longer waiting).</summary>
    public DateTimeOffset? DoneAt { get; private set; }

    /// <summary>The reminder moments of a request filed at <paramref name="createdAt"/>, expiring at <paramref name="expiresAt"/>, still ahead of <paramref name="now"/>.</summary>
    public static IReadOnlyList<DateTimeOffset> MomentsFor(DateTimeOffset createdAt, DateTimeOffset expiresAt, DateTimeOffset now) =>
        new[] { createdAt + (expiresAt - createdAt) / 2, expiresAt - LastCallBeforeExpiry }
            .Where(at => at > now && at < expiresAt)
            .Distinct()
            .Order()
            .ToList();
}

internal sealed class RequestReminderConfiguration : IEntityTypeConfiguration<RequestReminder>
{
    public void Configure(EntityTypeBuilder<RequestReminder> reminder)
    {
        reminder.Property(r => r.Id).ValueGeneratedNever();
        reminder.HasIndex(r => new { r.DoneAt, r.DueAt });
        reminder.HasIndex(r => r.RequestId);
    }
}
