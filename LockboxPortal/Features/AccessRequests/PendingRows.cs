namespace LockboxPortal.Features.AccessRequests;

/// <summary>
/// Each tenant's requests awaiting its customer stage (pending, or an emergency awaiting ratification), as queue rows,
/// read from storage once and shared by every open queue on this node: an event about one of the tenant's requests
/// makes the pages re-read, and they all read this one answer instead of one query each. Forgotten by every request
/// event of the tenant, before the event reaches any page that reads it: subscribers hear an event in the order they
/// subscribed, and whoever reads this (through <see cref="AccessRequestService"/>) resolved it, and so subscribed it,
/// before subscribing itself. Also forgotten by missed events, after
/// <see cref="ReadAgainAfter"/>, and never used while the link between nodes is down; a page that reconnected, and so
/// may have missed events itself, reads storage. Which of the rows a person sees
/// is decided per person by <see cref="AccessRequestService.ListCustomerQueueAsync"/>, from the one authorization path.
/// </summary>
public sealed class PendingRows : IDisposable
{
    /// <summary>How long an answer is shared before storage is asked again (a tenant renamed, its policy changed).</summary>
    public static readonly TimeSpan ReadAgainAfter = TimeSpan.FromSeconds(5);

    private const int Capacity = 10_000;

    private readonly KeptAnswers<Guid, IReadOnlyList<RequestRow>> _rows;
    private readonly IEventTransport _transport;
    private readonly IDisposable[] _subscriptions;

    public PendingRows(RequestNotifier requests, IEventTransport transport, TimeProvider time)
    {
        _transport = transport;
        _rows = new KeptAnswers<Guid, IReadOnlyList<RequestRow>>(time, ReadAgainAfter, Capacity);
        _subscriptions =
        [
            requests.Subscribe(change =>
            {
                if (!change.Kind.IsActivity())
                {
                    _rows.Forget(change.TenantId);
                }

                return Task.CompletedTask;
            }),
            requests.OnMissedEvents(() =>
            {
                _rows.ForgetAll();
                return Task.CompletedTask;
            }),
        ];
    }

    /// <param name="fromStorage">Read storage, whatever is shared (for a caller that may have missed events).</param>
    /// <param name="read">Reads the tenant's rows from storage: those still open at the time of reading.</param>
    public Task<IReadOnlyList<RequestRow>> OfAsync(Guid tenantId, bool fromStorage, Func<Guid, Task<IReadOnlyList<RequestRow>>> read) =>
        fromStorage ? read(tenantId) : _rows.GetAsync(tenantId, _transport.HearsEveryEvent, read);

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }
}
