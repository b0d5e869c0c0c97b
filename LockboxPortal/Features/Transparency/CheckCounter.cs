using System.Collections.Concurrent;

namespace LockboxPortal.Features.Transparency;

/// <summary>
/// Counts the access checks made under each grant, per minute, in memory: the access check calls
/// <see cref="Count"/>, which takes a lock on one small bucket and touches no database, so the allowed path stays
/// read-only. <see cref="CheckCountFlusher"/> writes what was counted on a short interval.
/// </summary>
/// <remarks>
/// What a crash loses: the checks counted since the last flush (at most <see cref="TransparencyOptions.FlushSeconds"/>),
/// and the audit entry of each minute still open (its checks flushed so far stay in the stored row). The access
/// decisions themselves are unaffected; refusals are also recorded one by one by the access check.
/// </remarks>
public sealed class CheckCounter
{
    private readonly ConcurrentDictionary<(Guid RequestId, DateTimeOffset Minute), Bucket> _buckets = new();

    /// <summary>One grant's minute on this node: everything counted, and how much of it is already stored.</summary>
    internal sealed class Bucket(Guid requestId, Guid tenantId, DateTimeOffset minute)
    {
        public Guid RequestId { get; } = requestId;

        public Guid TenantId { get; } = tenantId;

        public DateTimeOffset Minute { get; } = minute;

        public CheckTally Counted { get; set; } = CheckTally.None;

        public CheckTally Flushed { get; set; } = CheckTally.None;

        /// <summary>Taken out for its last flush: a check that finds it closed counts in a new bucket.</summary>
        public bool Closed { get; set; }
    }

    /// <summary>A check that named this grant (allowed, or refused with the grant as its reason), at <paramref name="at"/>.</summary>
    public void Count(Guid requestId, Guid tenantId, bool allowed, DateTimeOffset at)
    {
        var key = (requestId, GrantCheckMinute.MinuteOf(at));
        while (true)
        {
            var bucket = _buckets.GetOrAdd(key, k => new Bucket(k.RequestId, tenantId, k.Minute));
            lock (bucket)
            {
                if (!bucket.Closed)
                {
                    bucket.Counted = bucket.Counted.With(allowed, at);
                    return;
                }
            }
        }
    }

    /// <summary>
    /// What to write now: each bucket's checks not yet stored, and whether its minute is over (the last flush for it,
    /// which also writes its audit entry). Closed buckets leave the counter; <see cref="Flushed"/> or
    /// <see cref="Restore"/> settles the rest.
    /// </summary>
    internal IReadOnlyList<PendingTally> Take(DateTimeOffset now)
    {
        var pending = new List<PendingTally>();
        foreach (var (key, bucket) in _buckets)
        {
            var closes = key.Minute.AddMinutes(1) <= now;
            if (closes && !_buckets.TryRemove(new KeyValuePair<(Guid, DateTimeOffset), Bucket>(key, bucket)))
            {
                continue;
            }

            lock (bucket)
            {
                bucket.Closed = closes;
                var delta = bucket.Counted.Since(bucket.Flushed);
                if (!delta.IsEmpty || closes)
                {
                    pending.Add(new PendingTally(bucket, bucket.Counted, delta, closes));
                }
            }
        }

        return pending;
    }

    /// <summary>The write committed: what it carried is stored.</summary>
    internal static void Flushed(IEnumerable<PendingTally> written)
    {
        foreach (var tally in written)
        {
            lock (tally.Bucket)
            {
                tally.Bucket.Flushed = tally.Total;
            }
        }
    }

    /// <summary>The write failed: closed buckets come back (open again), so the next flush carries their checks.</summary>
    internal void Restore(IEnumerable<PendingTally> failed)
    {
        foreach (var tally in failed.Where(t => t.Closes))
        {
            lock (tally.Bucket)
            {
                tally.Bucket.Closed = false;
            }

            var restored = _buckets.GetOrAdd((tally.Bucket.RequestId, tally.Bucket.Minute), tally.Bucket);
            if (!ReferenceEquals(restored, tally.Bucket))
            {
                // A check came in meanwhile and opened a new bucket for the minute: fold the old one into it.
                lock (restored)
                {
                    restored.Counted = Merge(restored.Counted, tally.Total);
                    restored.Flushed = Merge(restored.Flushed, tally.Bucket.Flushed);
                }
            }
        }
    }

    private static CheckTally Merge(CheckTally a, CheckTally b) => new(
        a.Allowed + b.Allowed, Min(a.FirstAllowedAt, b.FirstAllowedAt), Max(a.LastAllowedAt, b.LastAllowedAt),
        a.Refused + b.Refused, Min(a.FirstRefusedAt, b.FirstRefusedAt), Max(a.LastRefusedAt, b.LastRefusedAt));

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}

/// <summary>One bucket's share of a flush: its total on this node, what of it is not stored yet, and whether its minute is over.</summary>
internal sealed record PendingTally(CheckCounter.Bucket Bucket, CheckTally Total, CheckTally Delta, bool Closes);
