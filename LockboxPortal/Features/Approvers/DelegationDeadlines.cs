using LockboxPortal.Features.Grants;

namespace LockboxPortal.Features.Approvers;

/// <summary>
/// Lets the deadline timer record each delegation's natural end (audited once, across instances). Authority never
/// waits for this: it is worked out from the stored window at every check, so a late timer cannot extend it.
/// </summary>
public sealed class DelegationDeadlines(ApproverService approvers) : IDeadlineSource
{
    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => approvers.NextDelegationEndAsync(cancellationToken);

    public Task<int> ApplyDueAsync(DateTimeOffset now, CancellationToken cancellationToken) => approvers.EndDueDelegationsAsync(now, cancellationToken);
}
