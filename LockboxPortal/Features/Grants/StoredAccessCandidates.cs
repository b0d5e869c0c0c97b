using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Grants;

/// <summary>Reads the candidates from storage: for the read model, once and again after each change of them.</summary>
public sealed class StoredAccessCandidates(IDbContextFactory<LockboxDbContext> dbFactory) : IAccessCandidateSource
{
    /// <summary>How far back a request that was not approved still explains a refusal.</summary>
    private static readonly TimeSpan RecentFor = TimeSpan.FromDays(7);

    /// <summary>A bound on one check's read; an engineer never has this many open requests in one tenant.</summary>
    private const int MaxCandidates = 200;

    public async Task<IReadOnlyList<AccessRequest>> FindAsync(Guid tenantId, string engineerId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cutoff = now - RecentFor;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AccessRequests.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.RequesterId == engineerId && (r.Status == RequestStatus.Approved || r.CreatedAt > cutoff))
            .OrderByDescending(r => r.CreatedAt)
            .Take(MaxCandidates)
            .ToListAsync(cancellationToken);
    }
}
