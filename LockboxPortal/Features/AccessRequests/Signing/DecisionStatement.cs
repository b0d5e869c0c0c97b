using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LockboxPortal.Features.Audit;

namespace LockboxPortal.Features.AccessRequests.Signing;

/// <summary>
/// What an approver's passkey signs (DESIGN.md rule 12): the decision itself. Its canonical form is nine netstrings, as
/// the trail's entries (docs/signed-decisions.md): the format, request id, tenant id, scope, access level, granted
/// duration in seconds, outcome (<c>approve</c>, <c>reject</c>, <c>revoke</c>), the approver's id and the moment of
/// signing; the WebAuthn challenge is the SHA-256 of those bytes, so an assertion answers this decision and no other.
/// </summary>
public sealed record DecisionStatement(
    Guid RequestId,
    Guid TenantId,
    string Scope,
    AccessLevel AccessLevel,
    long GrantedDurationSeconds,
    string Outcome,
    string DeciderId,
    DateTimeOffset SignedAt)
{
    public const string Format = "lockboxportal-decision/1";
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string Revoke = "revoke";

    /// <summary>
    /// The statement of <paramref name="outcome"/> on <paramref name="request"/> as it stands, by <paramref name="deciderId"/>:
    /// for the requested duration, or the shorter one an approver allows (<paramref name="allowedDuration"/>).
    /// </summary>
    public static DecisionStatement For(AccessRequest request, string outcome, string deciderId, DateTimeOffset signedAt, TimeSpan? allowedDuration = null) => new(
        request.Id, request.TenantId, request.Scope, request.AccessLevel, (long)(allowedDuration ?? request.RequestedDuration).TotalSeconds, outcome, deciderId,
        signedAt);

    /// <summary>The moment of signing as stored and signed: UTC with seven fractional digits, as the trail writes times.</summary>
    public string SignedAtText => AuditEntry.FormatTimestamp(SignedAt);

    public string CanonicalForm() => AuditEntry.Netstrings(
    [
        Format,
        RequestId.ToString("D"),
        TenantId.ToString("D"),
        Scope,
        AccessLevel.ToString(),
        GrantedDurationSeconds.ToString(CultureInfo.InvariantCulture),
        Outcome,
        DeciderId,
        SignedAtText,
    ]);

    /// <summary>The WebAuthn challenge: SHA-256 of the canonical form's UTF-8 bytes.</summary>
    public byte[] Challenge() => SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalForm()));

    /// <summary>The statement as the trail's decision entry carries it (docs/signed-decisions.md).</summary>
    public object ToDetails() => new
    {
        Format,
        RequestId,
        TenantId,
        Scope,
        AccessLevel = AccessLevel.ToString(),
        GrantedDurationSeconds,
        Outcome,
        DeciderId,
        SignedAt = SignedAtText,
    };
}
