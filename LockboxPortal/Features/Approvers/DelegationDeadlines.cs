using LockboxPortal.Features.Grants;

namespace LockboxPortal.Features.Approvers;

/// <summary>
/// Lets the deadline timer record each delegation's natural end (audited once, across instances). Authority never
/// waits for this: it is worked out from the stored window at every check, so a late timer cannot extend it.
/// </summary>
public sealed class DelegationDeadlines(DelegationQueries queries, DelegationService delegations) : IDeadlineSource
{
    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => queries.NextDelegationEndAsync(cancellationToken);

    public Task<int> ApplyDueAsync(DateTimeOffset now, CancellationToken cancellationToken) => delegations.EndDueDelegationsAsync(now, cancellationToken);
}
