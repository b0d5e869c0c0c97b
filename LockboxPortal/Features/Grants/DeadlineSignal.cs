namespace LockboxPortal.Features.Grants;

/// <summary>
/// Tells the <see cref="DeadlineTimer"/> that a deadline appeared or moved sooner, so it wakes and re-reads
/// storage instead of sleeping on towards a later one. Pokes coalesce: many pokes during one pass cause one re-read.
/// </summary>
public sealed class DeadlineSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _poked = NewSource();
    private bool _unknown;
    private DateTimeOffset? _earliest;

    /// <summary>
    /// A deadline was stored. Pass it when known: the timer then stays asleep if it already wakes sooner.
    /// Pass null when something changed and the timer should simply re-read storage.
    /// </summary>
    public void Notify(DateTimeOffset? deadline = null)
    {
        lock (_gate)
        {
            if (deadline is not { } due)
            {
                _unknown = true;
            }
            else if (_earliest is null || due < _earliest)
            {
                _earliest = due;
            }

            _poked.TrySetResult();
        }
    }

    /// <summary>Completes at the first poke since the last <see cref="Take"/>.</summary>
    internal Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _poked.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Clears the pokes so far and says what they were: <c>Any</c> false when there were none; <c>Earliest</c> null when
    /// at least one poke did not name its deadline (re-read storage).
    /// </summary>
    internal (bool Any, DateTimeOffset? Earliest) Take()
    {
        lock (_gate)
        {
            var any = _poked.Task.IsCompleted;
            var earliest = _unknown ? null : _earliest;
            if (any)
            {
                _poked = NewSource();
            }

            _unknown = false;
            _earliest = null;
            return (any, earliest);
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
