using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Notifications;

/// <summary>
/// Lets the deadline timer apply the stored reminder moments: at each, if the request still awaits the customer,
/// the approvers and active delegates who have not decided yet are emailed, and the reminder is recorded in the trail
/// (so it shows on the request's timeline). Each moment is claimed with a conditional update, so it happens once
/// across nodes.
/// </summary>
public sealed class ReminderDeadlines(LockboxTransactions transactions, IDbContextFactory<LockboxDbContext> dbFactory, AuditWriter audit, EmailNotices email) : IDeadlineSource
{
    private const int BatchSize = 100;

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<RequestReminder>().Where(r => r.DoneAt == null).OrderBy(r => r.DueAt)
            .Select(r => (DateTimeOffset?)r.DueAt).FirstOrDefaultAsync(cancellationToken);
    }

    public Task<int> ApplyDueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        transactions.RunAsync(async db =>
        {
            var due = await db.Set<RequestReminder>().AsNoTracking().Where(r => r.DoneAt == null && r.DueAt <= now)
                .OrderBy(r => r.DueAt).Take(BatchSize).ToListAsync(cancellationToken);
            var sent = 0;
            foreach (var reminder in due)
            {
                var claimed = await db.Set<RequestReminder>().Where(r => r.Id == reminder.Id && r.DoneAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.DoneAt, now), cancellationToken);
                var request = await db.AccessRequests.Include(r => r.Decisions).SingleOrDefaultAsync(r => r.Id == reminder.RequestId, cancellationToken);
                if (claimed != 1 || request is not { Status: RequestStatus.PendingCustomer } || request.ExpiresAt <= now)
                {
                    continue;
                }

                var told = await email.RemindAsync(db, request, now, cancellationToken);
                await audit.AppendAsync(db, new AuditRecord(
                    AuditEventType.Notification_ReminderSent, Actor.System, request.TenantId, RequestGate.Subject, request.Id.ToString(),
                    AuditRecord.Details(new { request.Reference, Moment = reminder.DueAt, request.ExpiresAt, Reminded = told })), cancellationToken);
                sent++;
            }

            return sent;
        }, cancellationToken);
}
