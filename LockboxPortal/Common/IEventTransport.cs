namespace LockboxPortal.Common;

/// <summary>
/// Carries events from publishers to subscribers: in this process (<see cref="InProcessEventTransport"/>, one node)
/// or to every node (<see cref="RedisEventTransport"/>). Whatever the transport, one failing subscriber never stops
/// the others from hearing, and a publisher is never failed by a subscriber.
/// </summary>
public interface IEventTransport
{
    /// <summary>Hears every <typeparamref name="TEvent"/> published from now until the subscription is disposed.</summary>
    IDisposable Subscribe<TEvent>(Func<TEvent, Task> handler);

    Task PublishAsync<TEvent>(TEvent change);

    /// <summary>
    /// Hears when events may have been missed (a jump in the event numbers, a lost connection between nodes), so that
    /// whoever shows stored data reads it again. In process, nothing is ever missed.
    /// </summary>
    IDisposable OnMissedEvents(Func<Task> handler);

    /// <summary>
    /// True while this node hears every event published on any node; false while the link between nodes is down, when
    /// whatever is kept in memory from events cannot be trusted (it is read again once <see cref="OnMissedEvents"/> calls).
    /// </summary>
    bool HearsEveryEvent { get; }
}
