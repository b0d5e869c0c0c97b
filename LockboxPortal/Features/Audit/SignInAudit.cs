using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Audit;

/// <summary>Records sign-ins and sign-outs in the chain of every organisation the person belongs to.</summary>
public sealed class SignInAudit(LockboxTransactions transactions, AuditWriter audit)
{
    private const string Subject = "User";

    public Task RecordAsync(AuditEventType type, PortalUser? user, string attemptedName, ClientInfo? client, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var actor = user?.ToActor() ?? new Actor("", attemptedName);
            var chains = await ChainsOfAsync(db, user, cancellationToken);
            var details = AuditRecord.Details(new { UserName = attemptedName });
            foreach (var tenantId in chains)
            {
                await audit.AppendAsync(db, new AuditRecord(type, actor, tenantId, Subject, user?.Id ?? attemptedName, details, Client: client), cancellationToken);
            }
        }, cancellationToken);

    private static async Task<IReadOnlyList<Guid?>> ChainsOfAsync(LockboxDbContext db, PortalUser? user, CancellationToken cancellationToken)
    {
        if (user is null)
        {
            return [null];
        }

        var memberships = await db.Memberships.Where(m => m.UserId == user.Id).Select(m => m.TenantId).Distinct().ToListAsync(cancellationToken);
        return memberships.Count == 0 ? [null] : memberships;
    }
}
