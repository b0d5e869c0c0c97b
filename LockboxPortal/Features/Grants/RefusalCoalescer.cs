using LockboxPortal.Features.Audit;

namespace LockboxPortal.Features.Grants;

/// <summary>
/// Refused access checks, coalesced per minute. The first refusal of a key (the calling service client, tenant,
/// engineer, scope, access level and reason) in a minute is written to the trail at once, as every refusal used to be;
/// the others of that minute are only counted here, and <see cref="RefusalCountFlusher"/> writes one entry per key and
/// minute with how many more there were. So a data plane hammering refused checks neither fills the trail nor queues
/// one write transaction per check in front of everyone else's writes; it still cannot refuse unseen.
/// </summary>
public sealed class RefusalCoalescer
{
    /// <summary>What makes two refusals the same one, repeated.</summary>
    public readonly record struct Key(string CallerId, Guid? TenantId, string Engineer, string Scope, string AccessLevel, string Reason);

    /// <summary>A key's minute: who called, what was asked, how many more refusals came after the first, the last one's time.</summary>
    public sealed record Tally(Key Key, Actor Caller, ClientInfo? Client, Guid? RequestId, DateTimeOffset Minute, DateTimeOffset FirstAt, int Repeats, DateTimeOffset LastAt);

    private readonly Dictionary<Key, Tally> _open = [];

    /// <summary>Tallies of minutes over, kept until the flusher takes them.</summary>
    private readonly List<Tally> _closed = [];
    private readonly Lock _gate = new();

    /// <summary>
    /// Counts a refusal. True when it is its key's first in its minute: the caller writes it to the trail (and calls
    /// <see cref="Forget"/> if that fails). False when it is a repeat, now counted.
    /// </summary>
    public bool IsFirst(Key key, Actor caller, ClientInfo? client, Guid? requestId, DateTimeOffset now)
    {
        var minute = MinuteOf(now);
        lock (_gate)
        {
            if (_open.TryGetValue(key, out var tally) && tally.Minute == minute)
            {
                _open[key] = tally with { Repeats = tally.Repeats + 1, LastAt = now > tally.LastAt ? now : tally.LastAt };
                return false;
            }

            // A tally of an earlier minute not yet taken by the flusher is kept under the minute it counted.
            if (tally is { Repeats: > 0 })
            {
                _closed.Add(tally);
            }

            _open[key] = new Tally(key, caller, client, requestId, minute, now, 0, now);
            return true;
        }
    }

    /// <summary>The first refusal's entry could not be written: the next refusal of the key is a first again.</summary>
    public void Forget(Key key, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_open.TryGetValue(key, out var tally) && tally.Minute == MinuteOf(now) && tally.Repeats == 0)
            {
                _open.Remove(key);
            }
        }
    }

    /// <summary>
    /// Takes the tallies of the minutes over at <paramref name="now"/> that counted repeats (all of them, the running
    /// minute's too, with <paramref name="all"/>); keys without repeats are dropped.
    /// </summary>
    public IReadOnlyList<Tally> TakeClosed(DateTimeOffset now, bool all = false)
    {
        var current = MinuteOf(now);
        lock (_gate)
        {
            var taken = new List<Tally>(_closed);
            _closed.Clear();
            foreach (var (key, tally) in _open.ToList())
            {
                if (all || tally.Minute < current)
                {
                    _open.Remove(key);
                    if (tally.Repeats > 0)
                    {
                        taken.Add(tally);
                    }
                }
            }

            return taken;
        }
    }

    /// <summary>Tallies whose entry could not be written go back, to be written at the next flush.</summary>
    public void Restore(IEnumerable<Tally> tallies)
    {
        lock (_gate)
        {
            _closed.AddRange(tallies);
        }
    }

    public static DateTimeOffset MinuteOf(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
}
