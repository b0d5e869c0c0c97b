using LockboxPortal.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// The real app, on its own SQLite file (or, in the PostgreSQL run, the database that file name stands for:
/// <see cref="TestDatabase"/>; <paramref name="sqliteOnly"/> keeps a test about the file itself on SQLite). With
/// <paramref name="realPort"/> it listens on a real loopback port that a browser can reach.
/// </summary>
public sealed class PortalFactory(string databasePath, string environment = "Development", bool realPort = false, bool sqliteOnly = false)
    : WebApplicationFactory<Program>
{
    public const string DemoPassword = "Demo-Password-2026";

    /// <summary>The authenticator key of Contoso's demo people (base32), from which <see cref="Totp"/> computes their codes.</summary>
    public const string DemoAuthenticatorKey = "LOCKBOXDEMOKEY234567ABCDEFGHIJKL";

    private readonly Dictionary<string, string?> _settings = new(
        [
            .. TestDatabase.SettingsFor(databasePath, sqliteOnly),
            new(DemoData.PasswordKey, DemoPassword),
            new(DemoData.AuthenticatorKeyKey, DemoAuthenticatorKey),
            // Outside Development the portal refuses to start without its certificate (With(key, null) removes it).
            .. environment == "Development" ? [] : TestCertificate.Settings(),
        ]);

    /// <summary>The database settings the app runs with, for a console host over the same database.</summary>
    public IReadOnlyDictionary<string, string?> DatabaseSettings { get; } = TestDatabase.SettingsFor(databasePath, sqliteOnly);

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
