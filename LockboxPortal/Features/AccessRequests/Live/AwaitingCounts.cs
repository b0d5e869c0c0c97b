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

    public int Customer { get; private set; }

    public int Internal { get; private set; }

    public int Total => Customer + Internal;

    /// <summary>Raised, on no particular thread, after a count was read again.</summary>
    public event Action? Changed;

    public Task StartAsync() => _started ??= StartCoreAsync();

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
            if (audience.MayConcernCustomerQueue(change) || audience.MayConcernInternalQueue(change))
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
            Customer = _audience!.TenantAdminOf.Count > 0 ? (await requests.ListCustomerQueueAsync(_user)).Count : 0;
            Internal = _audience.IsManager ? (await requests.ListInternalQueueAsync(_user)).Count : 0;
            Changed?.Invoke();
        }
        catch (Exception ex)
        {
            // A badge that cannot be read must not take the page down with it.
            logger.LogWarning(ex, "Could not read the number of requests awaiting a decision");
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _reconnection?.Dispose();
        _gate.Dispose();
    }
}
