namespace LockboxPortal.Features.Grants;

/// <summary>
/// Something with stored deadlines that the <see cref="DeadlineTimer"/> must act on: pending requests and grants
/// (<see cref="GrantService"/>), and delegations when that feature registers its own source
/// (<c>services.AddScoped&lt;IDeadlineSource, ...&gt;()</c>). Sources are resolved in a fresh scope per pass.
/// </summary>
/// <remarks>
/// Implementations must be safe to run on several app instances over one database at once: apply each
/// transition through the service layer with a conditional write (the state check plus the row's concurrency
/// token), so exactly one instance applies and audits it and the others find it already done.
/// A source that creates or shortens a deadline should call <see cref="DeadlineSignal.Notify"/> after saving.
/// </remarks>
public interface IDeadlineSource
{
    /// <summary>The earliest stored deadline still to act on, or null when there is none.</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);

    /// <summary>Applies every transition due at or before <paramref name="now"/>; returns how many this call applied.</summary>
    Task<int> ApplyDueAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
