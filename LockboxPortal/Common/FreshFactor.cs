namespace LockboxPortal.Common;

/// <summary>
/// What an approver offers, with one decision or revoke, to prove it is them deciding now (DESIGN.md rule 12): the
/// code their authenticator app shows, or a passkey assertion (the JSON of <c>navigator.credentials.get()</c>) over
/// the decision's statement signed at <see cref="SignedAt"/>. Where the tenant asks for no fresh factor, it is ignored.
/// </summary>
public sealed record FreshFactor(string? Totp = null, string? PasskeyAssertion = null, DateTimeOffset? SignedAt = null)
{
    public bool IsEmpty => string.IsNullOrWhiteSpace(Totp) && string.IsNullOrWhiteSpace(PasskeyAssertion);

    /// <summary>
    /// The challenge a passkey assertion must answer: the hash of the decision's statement, which the service builds
    /// from the request as stored and <see cref="SignedAt"/>. Whatever a caller puts here is replaced.
    /// </summary>
    public byte[]? Challenge { get; init; }
}

/// <summary>A passkey assertion that verified for a decision, with the key it verified against, to be kept with the decision.</summary>
public sealed record PasskeyProof(WebAuthnAssertion Assertion, byte[] PublicKey, int Algorithm, string RpId, string Origin);

/// <summary>
/// The tenant asks for a fresh factor with each decision and revoke, and none (or no good one) came with this one.
/// <see cref="Code"/> says why, as the API's problem type: missing, wrong, stale (older than the tenant's window) or
/// reused (a code that already served once).
/// </summary>
public sealed class FreshFactorException(string code, string message) : LockboxRuleException(message)
{
    public const string Missing = "fresh-factor-missing";
    public const string Wrong = "fresh-factor-wrong";
    public const string Stale = "fresh-factor-stale";
    public const string Reused = "fresh-factor-reused";
    public const string SignatureRefused = "fresh-factor-signature";

    public override string Code => code;

    public static FreshFactorException For(string code, TimeSpan window) => new(code, code switch
    {
        Missing => "This tenant asks for a fresh second factor with each decision: enter the 6-digit code your authenticator app shows now, or use a passkey.",
        Wrong => "That code is not right. Enter the 6-digit code your authenticator app shows now.",
        Stale => $"That proof is older than this tenant allows ({(int)window.TotalMinutes} min). Enter the code your authenticator app shows now.",
        Reused => "That code or passkey signature was already used. Use the next code your app shows, or sign with your passkey again.",
        SignatureRefused => "That passkey signature is not one of your passkeys' signatures of this decision. Use your passkey again from this dialog.",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Not a fresh-factor refusal."),
    });
}
