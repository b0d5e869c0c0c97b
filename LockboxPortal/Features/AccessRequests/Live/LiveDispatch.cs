namespace LockboxPortal.Features.AccessRequests.Live;

/// <summary>
/// Moves a live subscriber's work off the publisher's thread. Blazor's <c>InvokeAsync</c> runs work inline when
/// the circuit is idle, and SQLite's "async" calls complete synchronously, so a page that re-reads inside the
/// notifier's call would hold up the service that published, and every page subscribed after it, one by one.
/// </summary>
public static class LiveDispatch
{
    public static void Post(Func<Task> work) => _ = Task.Run(async () =>
    {
        try
        {
            await work();
        }
        catch (ObjectDisposedException)
        {
            // The circuit ended between the event and this work: nobody is left to show it to.
        }
    });
}
