using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Features.Grants;

/// <summary>
/// Where the access check finds the requests that could decide a use: every approved request of the engineer in
/// the tenant (one of them may allow it) and their recent others (they say why not). The source only finds them;
/// <see cref="AccessDecision.Evaluate"/> decides. Kept in memory on each node (<see cref="AccessReadModel"/>),
/// read from storage (<see cref="StoredAccessCandidates"/>) once and again after each change.
/// </summary>
public interface IAccessCandidateSource
{
    Task<IReadOnlyList<AccessRequest>> FindAsync(Guid tenantId, string engineerId, DateTimeOffset now, CancellationToken cancellationToken);
}
