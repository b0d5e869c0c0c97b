namespace LockboxPortal.Common;

/// <summary>
/// Sleeping on <see cref="TimeProvider"/> until a moment or a poke, for the background loops (the deadline timer, the
/// outbox). An alarm set while the clock moved (set forward, or a test's clock advanced from another thread between
/// reading it and setting the alarm) is set again from the new now, or it could ring late by as much; one that rings a
/// hair early sleeps the rest.
/// </summary>
public static class ClockAlarm
{
    /// <summary>More than a thread's pause between reading the clock and setting the alarm: the clock itself moved.</summary>
    public static readonly TimeSpan ClockMovedWhileSetting = TimeSpan.FromMilliseconds(50);

    /// <summary>True when <paramref name="poked"/> completed first; false once <paramref name="wakeAt"/> is reached.</summary>
    public static async Task<bool> SleepUntilAsync(TimeProvider time, DateTimeOffset wakeAt, Func<CancellationToken, Task> poked, CancellationToken stoppingToken)
    {
        while (true)
        {
            var before = time.GetUtcNow();
            var delay = wakeAt - before;
            if (delay <= TimeSpan.Zero)
            {
                return false;
            }

            using var sleeping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var alarm = Task.Delay(delay, time, sleeping.Token);
            var after = time.GetUtcNow();
            if (after - before > ClockMovedWhileSetting || after >= wakeAt)
            {
                await sleeping.CancelAsync();
                continue;
            }

            var poke = poked(sleeping.Token);
            var first = await Task.WhenAny(alarm, poke);
            await sleeping.CancelAsync();
            stoppingToken.ThrowIfCancellationRequested();
            if (first == poke)
            {
                return true;
            }
        }
    }
}
