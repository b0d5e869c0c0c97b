using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Features.Grants;

/// <summary>What one pass of the <see cref="DeadlineTimer"/> did, for logs, tests and the benchmark.</summary>
/// <param name="Now">The cutoff: everything due at or before it was applied (by this instance or another).</param>
/// <param name="Applied">Transitions this instance applied.</param>
/// <param name="NextDue">The earliest deadline left in storage after the pass.</param>
/// <param name="WakeAt">When the timer will look again unless poked sooner.</param>
public sealed record DeadlinePass(DateTimeOffset Now, int Applied, DateTimeOffset? NextDue, DateTimeOffset WakeAt, Exception? Error = null);

/// <summary>
/// DESIGN.md rule 5: a hosted service that sleeps until the next stored deadline, applies what fell due through
/// the service layer (each transition audited and published there), and sleeps again. It wakes early when a
/// <see cref="DeadlineSignal"/> names a sooner deadline, and at start-up applies everything that fell due while
/// the app was down before the app serves anyone.
/// </summary>
/// <remarks>
/// The timer only keeps the displayed state honest: the access decision reads the stored grant window itself,
/// so a timer that runs late, or not at all, can never extend access.
/// Several app instances may each run a timer over one database; the sources' conditional writes make exactly
/// one of them apply each transition.
/// </remarks>
public sealed class DeadlineTimer(
    IServiceScopeFactory scopes,
    DeadlineSignal signal,
    RequestNotifier notifier,
    TimeProvider time,
    ILogger<DeadlineTimer> logger) : BackgroundService
{
    /// <summary>
    /// A safety net, not a poll: normally the timer wakes at the next deadline or when poked. The cap bounds how
    /// long a deadline written by another instance (whose pokes this process cannot hear) waits if that instance
    /// stops before applying it.
    /// </summary>
    public static readonly TimeSpan DefaultMaxSleep = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait before trying again after a pass failed (e.g. the database was unavailable).</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    private IDisposable? _subscription;

    /// <summary>The safety-net cap on one sleep (<see cref="DefaultMaxSleep"/>); tests raise it to watch purely deadline-driven waking.</summary>
    public TimeSpan MaxSleep { get; set; } = DefaultMaxSleep;
    private DateTimeOffset _firstWake;

    /// <summary>Raised after every pass, on the timer's own thread.</summary>
    public event Action<DeadlinePass>? PassCompleted;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Filing and approving store new deadlines; the request service publishes them, so listen rather than
        // have it know about the timer.
        _subscription = notifier.Subscribe(change =>
        {
            // Reaching the customer stage stores reminder moments (Features/Notifications).
            if (change.Kind is RequestEventKind.Filed or RequestEventKind.InternalApproved
                || change is { Kind: RequestEventKind.CustomerApproved, Status: RequestStatus.Approved })
            {
                signal.Notify();
            }

            return Task.CompletedTask;
        });

        // Catch up on what fell due while the app was down before the host reports itself started.
        _firstWake = await PassAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wakeAt = _firstWake;
        try
        {
            while (true)
            {
                await SleepUntilAsync(wakeAt, stoppingToken);
                LockboxMetrics.TimerWoke(time.GetUtcNow() - wakeAt);
                wakeAt = await PassAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Applies everything due at or before <paramref name="now"/> from every source; returns how many this call applied.</summary>
    public async Task<int> RunOnceAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var applied = 0;
        foreach (var source in scope.ServiceProvider.GetServices<IDeadlineSource>())
        {
            applied += await source.ApplyDueAsync(now, cancellationToken);
        }

        return applied;
    }

    /// <summary>The earliest deadline any source still has to act on.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        DateTimeOffset? next = null;
        foreach (var source in scope.ServiceProvider.GetServices<IDeadlineSource>())
        {
            if (await source.NextDueAsync(cancellationToken) is { } due && (next is null || due < next))
            {
                next = due;
            }
        }

        return next;
    }

    /// <summary>One pass: apply what is due now, then work out when to look again.</summary>
    private async Task<DateTimeOffset> PassAsync(CancellationToken cancellationToken)
    {
        // Clear pokes before reading storage: a deadline stored during the read pokes again and is not missed.
        signal.Take();
        var now = time.GetUtcNow();
        DeadlinePass pass;
        try
        {
            var applied = await RunOnceAsync(now, cancellationToken);
            var next = await NextDueAsync(cancellationToken);
            var latest = now + MaxSleep;
            pass = new DeadlinePass(now, applied, next, next is { } due && due < latest ? due : latest);
            if (applied > 0)
            {
                logger.LogInformation("Applied {Count} due transitions; next deadline {Next}", applied, next);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "A deadline pass failed; trying again in {Delay}", RetryAfterFailure);
            pass = new DeadlinePass(now, 0, null, now + RetryAfterFailure, ex);
        }

        PassCompleted?.Invoke(pass);
        return pass.WakeAt;
    }

    /// <summary>Sleeps on <see cref="TimeProvider"/> until <paramref name="wakeAt"/>, or until poked with a sooner or unknown deadline.</summary>
    private async Task SleepUntilAsync(DateTimeOffset wakeAt, CancellationToken stoppingToken)
    {
        while (await ClockAlarm.SleepUntilAsync(time, wakeAt, signal.WaitAsync, stoppingToken))
        {
            var (_, earliest) = signal.Take();
            if (earliest is null || earliest < wakeAt)
            {
                return;
            }
        }
    }
}
