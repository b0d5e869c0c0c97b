using System.Collections.Concurrent;

namespace LockboxPortal.Common;

/// <summary>
/// Storage's answers by key, kept until forgotten or older than <c>readAgainAfter</c>. A read that overlapped a change
/// (anything was forgotten while it ran) answers its own caller but is not kept: it may have been read just before
/// the change committed, and keeping it would undo the forgetting.
/// </summary>
/// <param name="capacity">Bounds memory; past it everything is forgotten and read again.</param>
internal sealed class KeptAnswers<TKey, TValue>(TimeProvider time, TimeSpan readAgainAfter, int capacity) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (TValue Value, DateTimeOffset ReadAt)> _answers = new();
    private long _changes;

    /// <param name="trusted">False while changes may go unheard: storage is read, and what was kept is not used.</param>
    public async Task<TValue> GetAsync(TKey key, bool trusted, Func<TKey, Task<TValue>> read)
    {
        var now = time.GetUtcNow();
        if (!trusted)
        {
            return await read(key);
        }

        if (_answers.TryGetValue(key, out var kept) && now - kept.ReadAt < readAgainAfter)
        {
            return kept.Value;
        }

        var changes = Volatile.Read(ref _changes);
        var value = await read(key);
        if (_answers.Count >= capacity)
        {
            _answers.Clear();
        }

        _answers[key] = (value, now);
        if (Volatile.Read(ref _changes) != changes)
        {
            _answers.TryRemove(key, out _);
        }

        return value;
    }

    /// <summary>Counted before removing, so a read in flight sees the change whichever way the two interleave.</summary>
    public void Forget(TKey key)
    {
        Interlocked.Increment(ref _changes);
        _answers.TryRemove(key, out _);
    }

    public void ForgetAll()
    {
        Interlocked.Increment(ref _changes);
        _answers.Clear();
    }
}
