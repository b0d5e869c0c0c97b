using LockboxPortal.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// The real app, on its own SQLite file. With <paramref name="realPort"/> it listens on a real loopback port
/// that a browser can reach.
/// </summary>
public sealed class PortalFactory(string databasePath, string environment = "Development", bool realPort = false) : WebApplicationFactory<Program>
{
    public const string DemoPassword = "Demo-Password-2026";

    /// <summary>The authenticator key of Contoso's demo people (base32), from which <see cref="Totp"/> computes their codes.</summary>
    public const string DemoAuthenticatorKey = "LOCKBOXDEMOKEY234567ABCDEFGHIJKL";

    private readonly Dictionary<string, string?> _settings = new()
    {
        [DatabaseSetup.SqlitePathKey] = databasePath,
        [DemoData.PasswordKey] = DemoPassword,
        [DemoData.AuthenticatorKeyKey] = DemoAuthenticatorKey,
    };

    private readonly List<Action<IServiceCollection>> _services = [];

    public string DatabasePath { get; } = databasePath;

    /// <summary>Adds test-only services (e.g. a startup filter) after the app's own; call before the app starts.</summary>
    public PortalFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    public PortalFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Starts the app on a real port and returns its base address.</summary>
    public string StartOnRealPort()
    {
        if (!realPort)
        {
            throw new InvalidOperationException("Create the factory with realPort: true.");
        }

        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        return addresses.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => _services.ForEach(configure => configure(services)));
        if (realPort)
        {
            UseKestrel(0);
        }
    }
}
