using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when something starts waiting on it (a timer, a delay, a timeout), so a
/// test moves the clock once the wait has begun: moved earlier, the wait would start from the new time and never end.
/// </summary>
public sealed class WatchedTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _waits = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _waits.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Forgets the waits begun so far, so <see cref="NextWaitAsync"/> reports only those that begin after this.</summary>
    public void ForgetWaits()
    {
        while (_waits.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>How long the next wait that <paramref name="which"/> picks out waits for, once it has begun.</summary>
    public async Task<TimeSpan> NextWaitAsync(Func<TimeSpan, bool> which)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var due = await _waits.Reader.ReadAsync(timeout.Token);
            if (which(due))
            {
                return due;
            }
        }
    }
}
