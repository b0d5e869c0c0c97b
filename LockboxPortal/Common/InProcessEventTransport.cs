using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace LockboxPortal.Common;

/// <summary>
/// Events stay in this process: each subscriber of the event's type is called in turn, inside the publisher's call,
/// so subscribers must hand slow work off instead of awaiting it. A subscriber that throws is logged and skipped.
/// </summary>
public sealed class InProcessEventTransport(ILogger<InProcessEventTransport> logger) : IEventTransport
{
    private readonly ConcurrentDictionary<Type, object> _topics = new();

    public IDisposable Subscribe<TEvent>(Func<TEvent, Task> handler) => Topic<TEvent>().Subscribe(handler);

    public Task PublishAsync<TEvent>(TEvent change) => Topic<TEvent>().PublishAsync(change, logger);

    /// <summary>Every event reaches every subscriber inside the publisher's call: none is missed, so this never calls.</summary>
    public IDisposable OnMissedEvents(Func<Task> handler) => NothingMissed.Instance;

    /// <summary>One node: every event is published here.</summary>
    public bool HearsEveryEvent => true;

    private Subscribers<TEvent> Topic<TEvent>() => (Subscribers<TEvent>)_topics.GetOrAdd(typeof(TEvent), _ => new Subscribers<TEvent>());

    private sealed class NothingMissed : IDisposable
    {
        public static readonly NothingMissed Instance = new();

        public void Dispose()
        {
        }
    }

    private sealed class Subscribers<TEvent>
    {
        private ImmutableArray<Subscription> _list = [];

        public IDisposable Subscribe(Func<TEvent, Task> handler)
        {
            var subscription = new Subscription(this, handler);
            ImmutableInterlocked.Update(ref _list, list => list.Add(subscription));
            return subscription;
        }

        public async Task PublishAsync(TEvent change, ILogger logger)
        {
            foreach (var subscriber in _list)
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

        private sealed class Subscription(Subscribers<TEvent> owner, Func<TEvent, Task> handler) : IDisposable
        {
            public Func<TEvent, Task> Handler { get; } = handler;

            public void Dispose() => ImmutableInterlocked.Update(ref owner._list, list => list.Remove(this));
        }
    }
}
