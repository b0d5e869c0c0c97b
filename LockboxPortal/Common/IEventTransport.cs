namespace LockboxPortal.Common;

/// <summary>
/// Carries events from publishers to subscribers. In process today (<see cref="InProcessEventTransport"/>); a
/// Redis one carries them between instances. Whatever the transport, one failing subscriber never stops the others
/// from hearing, and a publisher is never failed by a subscriber.
/// </summary>
public interface IEventTransport
{
    /// <summary>Hears every <typeparamref name="TEvent"/> published from now until the subscription is disposed.</summary>
    IDisposable Subscribe<TEvent>(Func<TEvent, Task> handler);

    Task PublishAsync<TEvent>(TEvent change);
}
