using Microsoft.AspNetCore.Components.Authorization;

namespace LockboxPortal.Features.AccessRequests.Live;

/// <summary>
/// How many requests await this person's decision, for the navigation badges and the tab title. One per circuit
/// (scoped), so the menu and the title share one read; it re-reads when an event may change a count and after a
/// reconnection, and stops listening when the circuit ends.
/// </summary>
public sealed class AwaitingCounts(
    AccessRequestService requests,
    RequestNotifier notifier,
    LiveAudiences audiences,
    CircuitConnection connection,
    AuthenticationStateProvider authentication,
    TimeProvider time,
    ILogger<AwaitingCounts> logger) : IDisposable
{
    /// <summary>
    /// How long the badge waits after an event before reading: the queue on screen reads first, and a burst of
    /// events costs one read instead of many.
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Task? _started;
    private LiveAudience? _audience;
    private System.Security.Claims.ClaimsPrincipal _user = new();
    private IDisposable? _subscription;
    private IDisposable? _reconnection;
    private volatile bool _dirty;
    private int _customerQueuesShown;
    private int _internalQueuesShown;

    public int Customer { get; private set; }

    public int Internal { get; private set; }

    public int Total => Customer + Internal;

    /// <summary>Raised, on no particular thread, after a count was read again.</summary>
    public event Action? Changed;

    public Task StartAsync() => _started ??= StartCoreAsync();

    /// <summary>
    /// A queue on screen reports how many rows it shows; while it does, its count comes from it and this service
    /// does not read that queue a second time for every event. Dispose the result when the queue goes away.
    /// </summary>
    public IDisposable ShowQueue(DecisionStage stage)
    {
        Interlocked.Increment(ref stage == DecisionStage.Customer ? ref _customerQueuesShown : ref _internalQueuesShown);
        return new ShownQueue(this, stage);
    }

    public void ReportShown(DecisionStage stage, int count)
    {
        if (stage == DecisionStage.Customer)
        {
            Customer = count;
        }
        else
        {
            Internal = count;
        }

        Changed?.Invoke();
    }

    private async Task StartCoreAsync()
    {
        _user = (await authentication.GetAuthenticationStateAsync()).User;
        if (_user.Identity?.IsAuthenticated != true || await audiences.ForAsync(_user) is not { } audience)
        {
            return;
        }

        _audience = audience;
        if (audience.TenantAdminOf.Count == 0 && !audience.IsManager)
        {
            return;
        }

        _subscription = notifier.Subscribe(change =>
        {
            if (!change.Kind.IsActivity() && (audience.MayConcernCustomerQueue(change) || audience.MayConcernInternalQueue(change)))
            {
                LiveDispatch.Post(async () =>
                {
                    await Task.Delay(Settle, time);
                    await RefreshAsync();
                });
            }

            return Task.CompletedTask;
        });
        _reconnection = connection.OnReconnected(RefreshAsync);
        await RefreshAsync();
    }

    /// <summary>Reads the counts again; calls that arrive while a read runs are folded into one more read.</summary>
    public async Task RefreshAsync()
    {
        _dirty = true;
        if (!await _gate.WaitAsync(0))
        {
            return;
        }

        try
        {
            while (_dirty)
            {
                _dirty = false;
                await ReadAsync();
            }
        }
        finally
        {
            _gate.Release();
        }

        if (_dirty)
        {
            await RefreshAsync();
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            var read = false;
            if (_audience!.TenantAdminOf.Count > 0 && Volatile.Read(ref _customerQueuesShown) == 0)
            {
                Customer = (await requests.ListCustomerQueueAsync(_user)).Count;
                read = true;
            }

            if (_audience.IsManager && Volatile.Read(ref _internalQueuesShown) == 0)
            {
                Internal = (await requests.ListInternalQueueAsync(_user)).Count;
                read = true;
            }

            if (read)
            {
                Changed?.Invoke();
            }
        }
        catch (Exception ex)
        {
            // A badge that cannot be read must not take the page down with it.
            logger.LogWarning(ex, "Could not read the number of requests awaiting a decision");
        }
    }

    private sealed class ShownQueue(AwaitingCounts owner, DecisionStage stage) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref stage == DecisionStage.Customer ? ref owner._customerQueuesShown : ref owner._internalQueuesShown);
            }
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _reconnection?.Dispose();
        _gate.Dispose();
    }
}
