using System.Buffers.Text;
using LockboxPortal.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.AccessRequests.Signing;

/// <summary>
/// A decision (approve, reject, revoke) an approver signed with a passkey: the assertion as the authenticator made it,
/// with the public key it verified against at the time, so it still verifies after the passkey is removed. The statement
/// it signed is rebuilt from the request as stored (<see cref="DecisionStatement.For"/>), so an edit of the request
/// (its scope, level, duration) or of this row breaks the signature. The portal never updates or deletes one.
/// </summary>
public sealed class SignedDecision
{
    private SignedDecision()
    {
        Outcome = DeciderId = CredentialId = AuthenticatorData = ClientDataJson = Signature = PublicKey = RpId = Origin = "";
    }

    public Guid Id { get; private set; }

    public Guid AccessRequestId { get; private set; }

    /// <summary><see cref="DecisionStatement.Approve"/>, <see cref="DecisionStatement.Reject"/> or <see cref="DecisionStatement.Revoke"/>.</summary>
    public string Outcome { get; private set; }

    public string DeciderId { get; private set; }

    public DateTimeOffset SignedAt { get; private set; }

    /// <summary>The assertion's parts, base64url without padding, exactly as the authenticator returned them.</summary>
    public string CredentialId { get; private set; }

    public string AuthenticatorData { get; private set; }

    public string ClientDataJson { get; private set; }

    public string Signature { get; private set; }

    /// <summary>The passkey's public key, SubjectPublicKeyInfo DER in base64url, and its COSE algorithm (-7 ES256, -257 RS256).</summary>
    public string PublicKey { get; private set; }

    public int Algorithm { get; private set; }

    public string RpId { get; private set; }

    public string Origin { get; private set; }

    public static SignedDecision Record(DecisionStatement statement, PasskeyProof proof) => new()
    {
        Id = Guid.NewGuid(),
        AccessRequestId = statement.RequestId,
        Outcome = statement.Outcome,
        DeciderId = statement.DeciderId,
        SignedAt = statement.SignedAt,
        CredentialId = Base64Url.EncodeToString(proof.Assertion.CredentialId),
        AuthenticatorData = Base64Url.EncodeToString(proof.Assertion.AuthenticatorData),
        ClientDataJson = Base64Url.EncodeToString(proof.Assertion.ClientDataJson),
        Signature = Base64Url.EncodeToString(proof.Assertion.Signature),
        PublicKey = Base64Url.EncodeToString(proof.PublicKey),
        Algorithm = proof.Algorithm,
        RpId = proof.RpId,
        Origin = proof.Origin,
    };

    public WebAuthnAssertion ToAssertion() => new(
        Base64Url.DecodeFromChars(CredentialId), Base64Url.DecodeFromChars(AuthenticatorData), Base64Url.DecodeFromChars(ClientDataJson),
        Base64Url.DecodeFromChars(Signature));

    /// <summary>How the trail's decision entry carries the signature, so an export can be verified offline (docs/signed-decisions.md).</summary>
    public object ToDetails(DecisionStatement statement) => new
    {
        Statement = statement.ToDetails(),
        CredentialId,
        AuthenticatorData,
        ClientDataJson,
        Signature,
        PublicKey,
        Algorithm,
        RpId,
        Origin,
    };
}

internal sealed class SignedDecisionConfiguration : IEntityTypeConfiguration<SignedDecision>
{
    public void Configure(EntityTypeBuilder<SignedDecision> signed)
    {
        signed.Property(s => s.Id).ValueGeneratedNever();
        signed.HasOne<AccessRequest>().WithMany().HasForeignKey(s => s.AccessRequestId).OnDelete(DeleteBehavior.Restrict);
        signed.HasIndex(s => s.AccessRequestId);

        // A signature serves once: the same assertion can never stand for a second decision.
        signed.HasIndex(s => s.Signature).IsUnique();
        signed.Property(s => s.Outcome).HasMaxLength(16);
        signed.Property(s => s.DeciderId).HasMaxLength(450);
        signed.Property(s => s.CredentialId).HasMaxLength(1400);
        signed.Property(s => s.AuthenticatorData).HasMaxLength(4096);
        signed.Property(s => s.ClientDataJson).HasMaxLength(8192);
        signed.Property(s => s.Signature).HasMaxLength(1024);
        signed.Property(s => s.PublicKey).HasMaxLength(1024);
        signed.Property(s => s.RpId).HasMaxLength(253);
        signed.Property(s => s.Origin).HasMaxLength(300);
    }
}
