using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.Audit;

/// <summary>
/// A signed statement "chain C had N entries, and entry N's hash was H, at time T" (DESIGN.md rule 13). It is signed
/// with the portal certificate's private key, which the database does not hold, so someone who can write the database
/// can neither re-chain the entries before a checkpoint (entry N's hash would change) nor cut the chain below it
/// (entry N would be gone) without the checkpoint telling; and they cannot sign a new one. The public key is at
/// <c>GET /api/v1/audit/checkpoint-key</c>; docs/audit-trail.md describes the signed form and an offline verifier.
/// </summary>
public sealed class AuditCheckpoint
{
    public const string Format = "lockboxportal-checkpoint/1";

    private AuditCheckpoint()
    {
        Hash = KeyId = Signature = "";
    }

    private AuditCheckpoint(Guid chainId, long sequence, string hash, DateTimeOffset takenAt, string keyId, string signature)
    {
        ChainId = chainId;
        Sequence = sequence;
        Hash = hash;
        TakenAt = takenAt;
        KeyId = keyId;
        Signature = signature;
    }

    public long Id { get; private set; }

    public Guid ChainId { get; private set; }

    /// <summary>The chain's head when the checkpoint was taken: its last sequence number and that entry's hash.</summary>
    public long Sequence { get; private set; }

    public string Hash { get; private set; }

    public DateTimeOffset TakenAt { get; private set; }

    /// <summary>Which certificate signed it (<see cref="PortalCertificate.KeyId"/>).</summary>
    public string KeyId { get; private set; }

    /// <summary>RS256 over <see cref="SignedForm"/>, base64url without padding.</summary>
    public string Signature { get; private set; }

    public static AuditCheckpoint Sign(PortalCertificate certificate, Guid chainId, long sequence, string hash, DateTimeOffset takenAt)
    {
        var form = SignedForm(chainId, sequence, hash, takenAt, certificate.KeyId);
        return new AuditCheckpoint(chainId, sequence, hash, takenAt, certificate.KeyId,
            System.Buffers.Text.Base64Url.EncodeToString(certificate.Sign(Encoding.UTF8.GetBytes(form))));
    }

    /// <summary>A checkpoint as someone outside handed it back (from an export or a message), to verify.</summary>
    public static AuditCheckpoint FromParts(Guid chainId, long sequence, string hash, DateTimeOffset takenAt, string keyId, string signature) =>
        new(chainId, sequence, hash, takenAt, keyId, signature);

    /// <summary>
    /// What is signed: six netstrings (as the entries' canonical form): the format name
    /// <c>lockboxportal-checkpoint/1</c>, the chain id (lower-case GUID), the sequence (decimal), the entry's hash
    /// (64 lower-case hex digits), the time taken (UTC, <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>) and the key id.
    /// </summary>
    public static string SignedForm(Guid chainId, long sequence, string hash, DateTimeOffset takenAt, string keyId) =>
        AuditEntry.Netstrings([Format, chainId.ToString("D"), sequence.ToString(CultureInfo.InvariantCulture), hash, AuditEntry.FormatTimestamp(takenAt), keyId]);

    public bool IsSignedBy(PortalCertificate certificate)
    {
        if (!string.Equals(KeyId, certificate.KeyId, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var signature = System.Buffers.Text.Base64Url.DecodeFromChars(Signature);
            return certificate.Verify(Encoding.UTF8.GetBytes(SignedForm(ChainId, Sequence, Hash, TakenAt, KeyId)), signature);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The checkpoint as exports and messages carry it (field names as in docs/audit-trail.md).</summary>
    public object ToDocument() => new
    {
        format = Format,
        chainId = ChainId.ToString("D"),
        sequence = Sequence,
        hash = Hash,
        takenAt = AuditEntry.FormatTimestamp(TakenAt),
        keyId = KeyId,
        signature = Signature,
    };
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> checkpoint)
    {
        checkpoint.HasIndex(c => new { c.ChainId, c.Sequence });
        checkpoint.Property(c => c.Hash).HasMaxLength(64);
        checkpoint.Property(c => c.KeyId).HasMaxLength(64);
        checkpoint.Property(c => c.Signature).HasMaxLength(1024);
    }
}
