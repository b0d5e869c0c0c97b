namespace LockboxPortal.Common;

/// <summary>
/// Publish/subscribe for one kind of event: services publish after their transaction commits; components subscribe
/// and dispose the subscription with themselves. The events travel on the <see cref="IEventTransport"/>, so which
/// subscribers hear them (this process, or every instance) is the transport's to decide, not the notifier's.
/// </summary>
public abstract class Notifier<TEvent>(IEventTransport transport)
{
    public IDisposable Subscribe(Func<TEvent, Task> handler) => transport.Subscribe(handler);

    /// <summary>After the operation committed, on the node where it ran (other nodes hear it through the transport).</summary>
    public virtual Task PublishAsync(TEvent change) => transport.PublishAsync(change);

    /// <summary>Hears when events may have been missed (see <see cref="IEventTransport.OnMissedEvents"/>): read again.</summary>
    public IDisposable OnMissedEvents(Func<Task> handler) => transport.OnMissedEvents(handler);
}
