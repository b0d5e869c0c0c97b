using System.Collections.Concurrent;

namespace LockboxPortal.Features.Tenants;

/// <summary>
/// <c>SignIn:Throttle:*</c>: how many failed sign-ins one client address, and one account name, may make in a window.
/// </summary>
public sealed class SignInThrottleOptions
{
    public int FailuresPerAddress { get; set; } = 30;

    public int FailuresPerAccount { get; set; } = 10;

    /// <summary>
    /// Wrong codes after a right password, per account, on the password-and-code sign-in: only someone who knows the
    /// password can spend this budget, so a stranger cannot use it to keep the person out.
    /// </summary>
    public int CodeFailuresPerAccount { get; set; } = 10;

    public int WindowSeconds { get; set; } = 300;
}

/// <summary>
/// Limits password guessing per client address and per account name, counted alike whether the account exists or not
/// (so the limit itself tells nobody which accounts are real). Only failures count, so people who type their password
/// right are never slowed; once a budget is spent, every attempt is refused until its window passes, the right
/// password too, or guessing would go on. Time comes from the injected clock.
/// </summary>
public sealed class SignInThrottle(TimeProvider time, SignInThrottleOptions options)
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset Start, int Failures)> _windows = new(StringComparer.Ordinal);

    public bool IsAllowed(string? address, string account) =>
        Below("a:" + address, options.FailuresPerAddress) && Below("u:" + Normalize(account), options.FailuresPerAccount);

    /// <summary>The address budget alone: the password-and-code sign-in, which the account budget must not shut.</summary>
    public bool IsAddressAllowed(string? address) => Below("a:" + address, options.FailuresPerAddress);

    public void RecordAddressFailure(string? address) => Count("a:" + address);

    /// <summary>Whether codes may still be tried for <paramref name="account"/> after a right password.</summary>
    public bool IsCodeAllowed(string account) => Below("c:" + Normalize(account), options.CodeFailuresPerAccount);

    public void RecordCodeFailure(string account) => Count("c:" + Normalize(account));

    public void RecordFailure(string? address, string account)
    {
        Count("a:" + address);
        Count("u:" + Normalize(account));
    }

    private static string Normalize(string account) => account.Trim().ToUpperInvariant();

    private bool Below(string key, int limit) =>
        !_windows.TryGetValue(key, out var window) || IsOver(window.Start) || window.Failures < limit;

    private void Count(string key)
    {
        var now = time.GetUtcNow();
        _windows.AddOrUpdate(key, _ => (now, 1), (_, window) => IsOver(window.Start) ? (now, 1) : (window.Start, window.Failures + 1));
        if (_windows.Count > 100_000)
        {
            foreach (var (stale, _) in _windows.Where(w => IsOver(w.Value.Start)).ToList())
            {
                _windows.TryRemove(stale, out _);
            }
        }
    }

    private bool IsOver(DateTimeOffset start) => time.GetUtcNow() - start >= TimeSpan.FromSeconds(options.WindowSeconds);
}
