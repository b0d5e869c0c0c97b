using System.Security.Cryptography;
using System.Text;

namespace LockboxPortal.Features.Audit;

/// <summary>
/// One entry of an append-only, hash-chained audit trail. There is one chain per tenant and one for
/// provider-wide events (<see cref="ProviderChain"/>); each entry holds the hash of the one before it,
/// so an edit, deletion or reordering is detected by recomputing the chain.
/// </summary>
public sealed class AuditEntry
{
    /// <summary>The chain of events that belong to no tenant (provider staff, sign-ins of provider staff).</summary>
    public static readonly Guid ProviderChain = Guid.Empty;

    /// <summary>The previous hash of the first entry of every chain.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>How <see cref="OccurredAt"/> is written in the canonical form and in exports (always UTC).</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private AuditEntry()
    {
        ActorId = "";
        ActorName = "";
        SubjectType = "";
        SubjectId = "";
        DetailsJson = "{}";
        PreviousHash = GenesisHash;
        Hash = "";
    }

    internal AuditEntry(Guid chainId, long sequence, DateTimeOffset occurredAt, AuditRecord record, string previousHash)
    {
        ChainId = chainId;
        Sequence = sequence;
        OccurredAt = occurredAt;
        ActorId = record.Actor.UserId;
        ActorName = record.Actor.DisplayName;
        OnBehalfOfId = record.OnBehalfOf?.UserId;
        OnBehalfOfName = record.OnBehalfOf?.DisplayName;
        TenantId = record.TenantId;
        EventType = record.EventType;
        SubjectType = record.SubjectType;
        SubjectId = record.SubjectId;
        ClientAddress = record.Client?.Address;
        UserAgent = record.Client?.UserAgent;
        DetailsJson = record.DetailsJson;
        PreviousHash = previousHash;
        Hash = ComputeHash();
    }

    public long Id { get; private set; }

    public Guid ChainId { get; private set; }

    /// <summary>1, 2, 3, ... within the chain, without gaps.</summary>
    public long Sequence { get; private set; }

    public DateTimeOffset OccurredAt { get; private set; }

    public string ActorId { get; private set; }

    public string ActorName { get; private set; }

    public string? OnBehalfOfId { get; private set; }

    public string? OnBehalfOfName { get; private set; }

    public Guid? TenantId { get; private set; }

    public AuditEventType EventType { get; private set; }

    public string SubjectType { get; private set; }

    public string SubjectId { get; private set; }

    public string? ClientAddress { get; private set; }

    public string? UserAgent { get; private set; }

    public string DetailsJson { get; private set; }

    public string PreviousHash { get; private set; }

    public string Hash { get; private set; }

    /// <summary>
    /// The canonical form that is hashed: each field, in this order, written as
    /// <c>&lt;UTF-8 byte length&gt;:&lt;UTF-8 bytes&gt;,</c> (a netstring), with null written as the empty string.
    /// Fields: chain id, sequence, occurred-at (UTC, <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>), actor id, actor name,
    /// on-behalf-of id, on-behalf-of name, tenant id, event type code (the number), subject type, subject id,
    /// client address, user agent, details JSON, previous hash. Guids are lower-case with hyphens.
    /// The hash is the lower-case hex SHA-256 of those bytes.
    /// </summary>
    public string CanonicalForm() => CanonicalForm(Sequence);

    public string ComputeHash() => ComputeHashAs(Sequence);

    /// <summary>
    /// The hash this entry would have had at another position; lets a verifier recognise a moved entry.
    /// It hashes the UTF-8 bytes of <see cref="CanonicalForm()"/>, written straight into one buffer instead of
    /// through the string: verifying a trail hashes every entry, and the strings in between cost more than the hash.
    /// </summary>
    internal string ComputeHashAs(long sequence)
    {
        string?[] texts = [ActorId, ActorName, OnBehalfOfId, OnBehalfOfName, SubjectType, SubjectId, ClientAddress, UserAgent, DetailsJson, PreviousHash];
        var bound = 512; // the formatted fields (two GUIDs, two numbers, the timestamp) and every length prefix
        foreach (var text in texts)
        {
            bound += Encoding.UTF8.GetMaxByteCount(text?.Length ?? 0);
        }

        var rented = bound > 2048 ? System.Buffers.ArrayPool<byte>.Shared.Rent(bound) : null;
        try
        {
            Span<byte> buffer = rented is null ? stackalloc byte[bound] : rented;
            var form = new CanonicalBytes(buffer);
            form.Formatted(ChainId, "D");
            form.Formatted(sequence, default);
            form.Formatted(OccurredAt.UtcDateTime, TimestampFormat);
            form.Text(ActorId);
            form.Text(ActorName);
            form.Text(OnBehalfOfId);
            form.Text(OnBehalfOfName);
            if (TenantId is { } tenantId)
            {
                form.Formatted(tenantId, "D");
            }
            else
            {
                form.Text(null);
            }

            form.Formatted((int)EventType, default);
            form.Text(SubjectType);
            form.Text(SubjectId);
            form.Text(ClientAddress);
            form.Text(UserAgent);
            form.Text(DetailsJson);
            form.Text(PreviousHash);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(form.Written, hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Netstrings (<c>&lt;UTF-8 byte length&gt;:&lt;UTF-8 bytes&gt;,</c>) into a buffer large enough for all of them.</summary>
    private ref struct CanonicalBytes(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;
        private int _length;

        public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

        public void Text(string? value)
        {
            value ??= "";
            Prefix(Encoding.UTF8.GetByteCount(value));
            _length += Encoding.UTF8.GetBytes(value, _buffer[_length..]);
            _buffer[_length++] = (byte)',';
        }

        public void Formatted<T>(T value, ReadOnlySpan<char> format)
            where T : IUtf8SpanFormattable
        {
            Span<byte> field = stackalloc byte[64];
            if (!value.TryFormat(field, out var written, format, System.Globalization.CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException($"A {typeof(T).Name} field of the canonical form is longer than 64 bytes.");
            }

            Prefix(written);
            field[..written].CopyTo(_buffer[_length..]);
            _length += written;
            _buffer[_length++] = (byte)',';
        }

        private void Prefix(int byteCount)
        {
            byteCount.TryFormat(_buffer[_length..], out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            _length += written;
            _buffer[_length++] = (byte)':';
        }
    }

    private string CanonicalForm(long sequence)
    {
        string?[] fields =
        [
            ChainId.ToString("D"),
            sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            FormatTimestamp(OccurredAt),
            ActorId,
            ActorName,
            OnBehalfOfId,
            OnBehalfOfName,
            TenantId?.ToString("D"),
            ((int)EventType).ToString(System.Globalization.CultureInfo.InvariantCulture),
            SubjectType,
            SubjectId,
            ClientAddress,
            UserAgent,
            DetailsJson,
            PreviousHash,
        ];
        return Netstrings(fields);
    }

    /// <summary>Each field as <c>&lt;UTF-8 byte length&gt;:&lt;UTF-8 bytes&gt;,</c>, null as the empty string (also the checkpoints' signed form).</summary>
    public static string Netstrings(IEnumerable<string?> fields)
    {
        var builder = new StringBuilder();
        foreach (var field in fields)
        {
            var value = field ?? "";
            builder.Append(Encoding.UTF8.GetByteCount(value)).Append(':').Append(value).Append(',');
        }

        return builder.ToString();
    }

    public static string FormatTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString(TimestampFormat, System.Globalization.CultureInfo.InvariantCulture);
}
