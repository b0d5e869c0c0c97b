using System.Net;
using System.Net.Sockets;

namespace LockboxPortal.Features.Webhooks;

/// <summary>The <c>Webhooks:*</c> settings.</summary>
public sealed class WebhookSettings
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Whether endpoints may be on loopback, private, link-local or other non-public addresses. Off by default: an
    /// officer's endpoint must not make the portal call what only the portal can reach (a cloud metadata service at
    /// 169.254.169.254, an admin port on localhost, the database's network). Turn it on for receivers inside your own
    /// network.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>
    /// How many times one attempt tries again at once after a transient failure (a 5xx, 408 or 429, a refused or
    /// dropped connection, no answer in time), before the outbox's own backoff takes over: 0 to 5.
    /// </summary>
    public int Retries { get; set; } = 2;

    /// <summary>The wait before the first quick retry; each next one waits twice as long (exponential backoff).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one try waits for an answer.</summary>
    public static readonly TimeSpan TryTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Every try and wait of one attempt together; it must end well inside the outbox lease (three quarters of it), or another node could
    /// claim the message while this one still tries it.
    /// </summary>
    public TimeSpan LongestAttempt =>
        (TryTimeout * (Retries + 1)) + Enumerable.Range(0, Math.Max(Retries, 0)).Aggregate(TimeSpan.Zero, (sum, n) => sum + (RetryDelay * Math.Pow(2, n)));

    /// <summary>What is wrong with these settings, or null: refused at start rather than met mid-delivery.</summary>
    public string? Problem(TimeSpan lease) =>
        Retries is < 0 or > 5 ? "Webhooks:Retries must be 0 to 5."
        : RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromSeconds(30) ? "Webhooks:RetryDelay must be 0 to 30 seconds."
        : LongestAttempt > lease * 0.75 ? $"Webhooks:Retries and Webhooks:RetryDelay let one attempt last up to {LongestAttempt.TotalSeconds:0} s (15 s a try); keep it within {(lease * 0.75).TotalSeconds:0} s, three quarters of the outbox lease."
        : null;
}

/// <summary>
/// Where a webhook may be delivered. Checked twice: when an endpoint is saved (an address written as an IP, or
/// <c>localhost</c>), and on every connection, on the addresses the name resolves to then, so a name that points at a
/// private address, or is changed to one later, is refused too.
/// </summary>
public static class WebhookNetwork
{
    public const string RefusedMessage =
        "This address is on a private or local network; webhooks go to public addresses only (the operator can allow private networks with Webhooks:AllowPrivateNetworks).";

    private static readonly IPNetwork[] NotPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.0.2.0/24"),
        IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("198.51.100.0/24"), IPNetwork.Parse("203.0.113.0/24"),
        IPNetwork.Parse("224.0.0.0/3"),
        IPNetwork.Parse("::/127"), IPNetwork.Parse("64:ff9b:1::/48"), IPNetwork.Parse("100::/64"), IPNetwork.Parse("2001:db8::/32"),
        IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    /// <summary>Whether <paramref name="address"/> is on the public internet (an IPv4 address inside IPv6 counts as itself).</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return !NotPublic.Any(network => network.Contains(address));
    }

    /// <summary>For a saved address: refused when its host is <c>localhost</c> or an IP address that is not public.</summary>
    public static bool IsRefusedAtOnce(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var address) && !IsPublic(address));

    /// <summary>The handler every delivery goes through: no redirects, no cookies, and connections to public addresses only unless allowed.</summary>
    public static SocketsHttpHandler Handler(bool allowPrivateNetworks) => new()
    {
        // No redirects: a receiver answers itself, and a redirect would send a signed event somewhere nobody chose.
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectCallback = allowPrivateNetworks ? null : ConnectToPublicAsync,
    };

    private static async ValueTask<Stream> ConnectToPublicAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(IsPublic).ToArray();
        if (allowed.Length == 0)
        {
            throw new WebhookAddressRefusedException($"{host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}. {RefusedMessage}");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A delivery refused because its address is not public: never a transient failure, so never tried again at once.</summary>
public sealed class WebhookAddressRefusedException(string message) : HttpRequestException(message);
