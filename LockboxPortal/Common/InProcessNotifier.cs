using System.Collections.Immutable;

namespace LockboxPortal.Common;

/// <summary>
/// In-process publish/subscribe: services publish after their transaction commits; components subscribe and
/// dispose the subscription with themselves. One failing subscriber never stops the others from hearing.
/// Subscribers run inside the publisher's call, so they must hand slow work off instead of awaiting it.
/// </summary>
public abstract class InProcessNotifier<TEvent>(ILogger logger)
{
    private ImmutableArray<Subscription> _subscribers = [];

    public IDisposable Subscribe(Func<TEvent, Task> handler)
    {
        var subscription = new Subscription(this, handler);
        ImmutableInterlocked.Update(ref _subscribers, list => list.Add(subscription));
        return subscription;
    }

    public async Task PublishAsync(TEvent change)
    {
        foreach (var subscriber in _subscribers)
        {
            try
            {
                await subscriber.Handler(change);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "A subscriber failed for {Change}", change);
            }
        }
    }

    private sealed class Subscription(InProcessNotifier<TEvent> owner, Func<TEvent, Task> handler) : IDisposable
    {
        public Func<TEvent, Task> Handler { get; } = handler;

        public void Dispose() => ImmutableInterlocked.Update(ref owner._subscribers, list => list.Remove(this));
    }
}
