using System.Collections.Immutable;

namespace LockboxPortal.Features.AccessRequests;

public enum RequestEventKind
{
    Filed,
    InternalApproved,
    InternalDenied,
    CustomerApproved,
    CustomerRejected,
    Cancelled,
    Expired,
    Revoked,
    Released,
    Completed,
}

/// <summary>Something happened to a request. Carries only what is needed to decide who should look again.</summary>
public sealed record RequestEvent(
    Guid RequestId,
    string Reference,
    Guid TenantId,
    string RequesterId,
    RequestStatus Status,
    RequestEventKind Kind,
    string ActorName,
    DateTimeOffset At);

/// <summary>
/// In-process publish/subscribe for request events. Services publish after their transaction commits;
/// components subscribe and dispose the subscription with themselves.
/// </summary>
public sealed class RequestNotifier(ILogger<RequestNotifier> logger)
{
    private ImmutableArray<Subscription> _subscribers = [];

    public IDisposable Subscribe(Func<RequestEvent, Task> handler)
    {
        var subscription = new Subscription(this, handler);
        ImmutableInterlocked.Update(ref _subscribers, list => list.Add(subscription));
        return subscription;
    }

    public async Task PublishAsync(RequestEvent requestEvent)
    {
        foreach (var subscriber in _subscribers)
        {
            try
            {
                await subscriber.Handler(requestEvent);
            }
            catch (Exception ex)
            {
                // One broken page must not stop the others from hearing about the change.
                logger.LogWarning(ex, "A request event subscriber failed for {Reference}", requestEvent.Reference);
            }
        }
    }

    private sealed class Subscription(RequestNotifier owner, Func<RequestEvent, Task> handler) : IDisposable
    {
        public Func<RequestEvent, Task> Handler { get; } = handler;

        public void Dispose() => ImmutableInterlocked.Update(ref owner._subscribers, list => list.Remove(this));
    }
}
