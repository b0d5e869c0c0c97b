using System.Buffers.Binary;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Features.Tenants;

/// <summary>How a fresh factor was proven (written to the trail), or why it was not (a <see cref="FreshFactorException"/> code).</summary>
public sealed record FreshFactorResult(string? Method, string? Refusal, bool NothingEnrolled = false)
{
    public const string PasskeyMethod = "passkey";

    /// <summary>The verified assertion when a passkey proved it, to be stored with the decision it signed.</summary>
    public PasskeyProof? Passkey { get; init; }

    public static FreshFactorResult Proven(string method) => new(method, null);

    public static FreshFactorResult Refused(string code) => new(null, code);
}

/// <summary>Whether a sign-in elsewhere (an external identity provider) is recent enough to count as the fresh factor.</summary>
public enum ExternalSignInFreshness
{
    NotExternal,
    Fresh,
    Stale,
}

/// <summary>
/// Checks the fresh factor a decision or revoke carries (DESIGN.md rule 12): a code from the person's authenticator
/// app whose 30-second step lies within the tenant's window and after the last code they used (RFC 6238 section 5.2:
/// a code is accepted once), or an external sign-in whose <c>auth_time</c> lies within the window. Codes are checked
/// here, not through Identity's token provider, because the window is the tenant's and a used code must be refused.
/// A passkey assertion counts when it signs the decision's own statement (<see cref="FreshFactor.Challenge"/>) made
/// within the window, on the portal's page, with one of the person's registered passkeys.
/// </summary>
public sealed class FreshFactorCheck(TimeProvider time, ClientContext client, IOptions<IdentityPasskeyOptions> passkeyOptions, IDatabaseProvider database)
{
    /// <summary>Where the step of the last code that counted is kept, beside Identity's authenticator key.</summary>
    private const string LastStepProvider = "LockboxPortal";
    private const string LastStepName = "LastAuthenticatorStep";

    /// <summary>How far back a code is still recognised, to say "too old" rather than "wrong".</summary>
    private static readonly TimeSpan Recognised = TimeSpan.FromHours(1);

    /// <summary>The OpenID Connect claim with the time of the sign-in at the identity provider, in unix seconds.</summary>
    public const string AuthTimeClaim = "auth_time";

    /// <summary>
    /// Checks <paramref name="factor"/> for <paramref name="userId"/> with the tenant's <paramref name="window"/>. A code
    /// that counts is marked used in <paramref name="db"/>, so it is used up only when the operation commits.
    /// </summary>
    public async Task<FreshFactorResult> VerifyAsync(
        LockboxDbContext db, ClaimsPrincipal principal, string userId, FreshFactor? factor, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!string.IsNullOrWhiteSpace(factor?.PasskeyAssertion))
        {
            return await VerifyPasskeyAsync(db, userId, factor, now, window, cancellationToken);
        }

        if (!string.IsNullOrWhiteSpace(factor?.Totp))
        {
            return await VerifyCodeAsync(db, database, userId, factor.Totp, now, window, cancellationToken);
        }

        var external = ExternalSignIn(principal, now, window);
        if (external != ExternalSignInFreshness.NotExternal && !ActingUser.ProvedSecondFactor(principal))
        {
            // However recent, a sign-in at the directory with a password alone is not a second factor: the directory
            // has to be asked again for one (DirectorySession.SignInAgainFor).
            return new FreshFactorResult(null, FreshFactorException.Missing, NothingEnrolled: true);
        }

        switch (external)
        {
            case ExternalSignInFreshness.Fresh:
                return FreshFactorResult.Proven("external-sign-in");
            case ExternalSignInFreshness.Stale:
                return FreshFactorResult.Refused(FreshFactorException.Stale);
        }

        var enrolled = await db.Users.AnyAsync(u => u.Id == userId && u.TwoFactorEnabled, cancellationToken);
        return new FreshFactorResult(null, FreshFactorException.Missing, NothingEnrolled: !enrolled);
    }

    /// <summary>
    /// The one rule for a sign-in at an external identity provider (Identity marks an external login with the
    /// provider's name as <see cref="ClaimTypes.AuthenticationMethod"/>; the provider states the moment the person
    /// authenticated as <c>auth_time</c>): fresh when that moment lies within <paramref name="window"/> of now.
    /// A provider asked to re-authenticate (<c>max_age</c>) gives a new <c>auth_time</c>.
    /// </summary>
    public static ExternalSignInFreshness ExternalSignIn(ClaimsPrincipal principal, DateTimeOffset now, TimeSpan window)
    {
        if (!principal.HasClaim(c => c.Type == ClaimTypes.AuthenticationMethod)
            || principal.FindFirstValue(AuthTimeClaim) is not { } text
            || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return ExternalSignInFreshness.NotExternal;
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));

        // A minute of clock difference with the provider either way, as for tokens.
        return age <= window && age >= -TimeSpan.FromMinutes(1) ? ExternalSignInFreshness.Fresh : ExternalSignInFreshness.Stale;
    }

    /// <summary>
    /// The relying party id passkeys are registered under: Identity's <see cref="IdentityPasskeyOptions.ServerDomain"/>,
    /// or the host of the portal's address as the browser reached it (as Identity does without one).
    /// </summary>
    public string RpIdFor(string origin) => passkeyOptions.Value.ServerDomain ?? new Uri(origin).Host;

    private async Task<FreshFactorResult> VerifyPasskeyAsync(
        LockboxDbContext db, string userId, FreshFactor factor, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        // The statement's moment is what the window measures; a minute of clock difference ahead, as for codes.
        if (factor.SignedAt is not { } signedAt || signedAt > now + TimeSpan.FromMinutes(1))
        {
            return FreshFactorResult.Refused(FreshFactorException.SignatureRefused);
        }

        if (now - signedAt > window)
        {
            return FreshFactorResult.Refused(FreshFactorException.Stale);
        }

        if (WebAuthnAssertion.Parse(factor.PasskeyAssertion) is not { } assertion || factor.Challenge is not { } challenge
            || client.Current?.Origin is not { } origin)
        {
            return FreshFactorResult.Refused(FreshFactorException.SignatureRefused);
        }

        var user = await db.Users.SingleAsync(u => u.Id == userId, cancellationToken);
        var store = new LockboxUserStore(db) { AutoSaveChanges = false };
        if (await store.FindPasskeyAsync(user, assertion.CredentialId, cancellationToken) is not { } passkey)
        {
            return FreshFactorResult.Refused(FreshFactorException.SignatureRefused);
        }

        var rpId = RpIdFor(origin);
        if (WebAuthnAssertion.TryFromCoseKey(passkey.PublicKey) is not var (publicKey, algorithm)
            || assertion.Verify(publicKey, algorithm, challenge, origin, rpId) is not null)
        {
            return FreshFactorResult.Refused(FreshFactorException.SignatureRefused);
        }

        // A signature counts once: the same assertion never stands for a second decision.
        var signature = System.Buffers.Text.Base64Url.EncodeToString(assertion.Signature);
        if (await db.SignedDecisions.AnyAsync(s => s.Signature == signature, cancellationToken))
        {
            return FreshFactorResult.Refused(FreshFactorException.Reused);
        }

        return FreshFactorResult.Proven(FreshFactorResult.PasskeyMethod) with { Passkey = new PasskeyProof(assertion, publicKey, algorithm, rpId, origin) };
    }

    private static async Task<FreshFactorResult> VerifyCodeAsync(
        LockboxDbContext db, IDatabaseProvider database, string userId, string typed, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleAsync(u => u.Id == userId, cancellationToken);
        var store = new LockboxUserStore(db) { AutoSaveChanges = false };
        var key = await store.GetAuthenticatorKeyAsync(user, cancellationToken);
        var digits = new string(typed.Where(char.IsAsciiDigit).ToArray());
        if (!user.TwoFactorEnabled || string.IsNullOrEmpty(key))
        {
            return new FreshFactorResult(null, FreshFactorException.Missing, NothingEnrolled: true);
        }

        if (digits.Length != AuthenticatorCode.Digits)
        {
            return FreshFactorResult.Refused(FreshFactorException.Wrong);
        }

        // The newest step first: a code that matches now is never mistaken for an old one.
        var current = AuthenticatorCode.StepAt(now);
        var windowSteps = (long)(window.TotalSeconds / AuthenticatorCode.StepSeconds);
        var recognisedSteps = (long)(Recognised.TotalSeconds / AuthenticatorCode.StepSeconds);
        var secret = AuthenticatorCode.DecodeKey(key);
        long? matched = null;
        for (var step = current + 1; step >= current - recognisedSteps; step--)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(AuthenticatorCode.At(secret, step)), Encoding.ASCII.GetBytes(digits)))
            {
                matched = step;
                break;
            }
        }

        if (matched is not { } used)
        {
            return FreshFactorResult.Refused(FreshFactorException.Wrong);
        }

        if (used < current - windowSteps)
        {
            return FreshFactorResult.Refused(FreshFactorException.Stale);
        }

        // One code counts once, also for two decisions in flight at the same moment on several nodes: the second waits
        // here until the first's transaction ends, then reads the step it marked used.
        await database.SerializeAsync(db, $"authenticator-step:{userId}", cancellationToken);
        var last = await store.GetTokenAsync(user, LastStepProvider, LastStepName, cancellationToken);
        if (last is not null && long.Parse(last, CultureInfo.InvariantCulture) >= used)
        {
            return FreshFactorResult.Refused(FreshFactorException.Reused);
        }

        await store.SetTokenAsync(user, LastStepProvider, LastStepName, used.ToString(CultureInfo.InvariantCulture), cancellationToken);
        return FreshFactorResult.Proven("authenticator-code");
    }
}

/// <summary>An authenticator app's code (RFC 6238: HMAC-SHA1 over 30-second steps since the epoch, 6 digits), the algorithm Identity enrols.</summary>
internal static class AuthenticatorCode
{
    public const int StepSeconds = 30;
    public const int Digits = 6;

    public static long StepAt(DateTimeOffset at) => at.ToUnixTimeSeconds() / StepSeconds;

    public static string At(byte[] key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = HMACSHA1.HashData(key, counter);
        var offset = hash[^1] & 0x0f;
        var binary = BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset, 4)) & 0x7fffffff;
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    /// <summary>The key as Identity stores it: base32 (RFC 4648), upper case, no padding.</summary>
    public static byte[] DecodeKey(string base32)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in base32.TrimEnd('=').ToUpperInvariant())
        {
            var value = alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                continue;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
            }
        }

        return [.. bytes];
    }
}
