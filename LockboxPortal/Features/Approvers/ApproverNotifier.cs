using System.Collections.Immutable;

namespace LockboxPortal.Features.Approvers;

public enum ApproverChangeKind
{
    ApproverAdded,
    ApproverRemoved,
    PolicyChanged,
    DelegationCreated,
    DelegationRevoked,
    DelegationEnded,
}

/// <summary>Who may decide in a tenant changed; open queues and delegation pages should read again.</summary>
public sealed record ApproverChange(Guid TenantId, ApproverChangeKind Kind, DateTimeOffset At);

/// <summary>
/// In-process publish/subscribe for changes of customer-stage authority, so that a person removed from the list
/// or whose delegation ended sees their queue empty at once. Services publish after their transaction commits.
/// </summary>
public sealed class ApproverNotifier(ILogger<ApproverNotifier> logger)
{
    private ImmutableArray<Subscription> _subscribers = [];

    public IDisposable Subscribe(Func<ApproverChange, Task> handler)
    {
        var subscription = new Subscription(this, handler);
        ImmutableInterlocked.Update(ref _subscribers, list => list.Add(subscription));
        return subscription;
    }

    public async Task PublishAsync(ApproverChange change)
    {
        foreach (var subscriber in _subscribers)
        {
            try
            {
                await subscriber.Handler(change);
            }
            catch (Exception ex)
            {
                // One broken page must not stop the others from hearing about the change.
                logger.LogWarning(ex, "An approver change subscriber failed for tenant {TenantId}", change.TenantId);
            }
        }
    }

    private sealed class Subscription(ApproverNotifier owner, Func<ApproverChange, Task> handler) : IDisposable
    {
        public Func<ApproverChange, Task> Handler { get; } = handler;

        public void Dispose() => ImmutableInterlocked.Update(ref owner._subscribers, list => list.Remove(this));
    }
}
