using System.Reflection;
using NetArchTest.Rules;

namespace LockboxPortal.Tests.Architecture;

/// <summary>
/// Holds the direction of dependencies between the app's folders (STYLE.md "One way to do each thing"): the shared
/// kernel depends on nothing of the app; features use the kernel, the authorization path, storage and each other's
/// public types, never the app shell (Components, Hosting, Api) and never another feature's internal types.
/// </summary>
public class DependencyTests
{
    private const string App = "LockboxPortal";
    private const string Common = App + ".Common";
    private const string Features = App + ".Features";
    private const string Data = App + ".Data";
    private const string Authorization = App + ".Authorization";

    /// <summary>The app shell: what composes the features into a web app.</summary>
    private static readonly string[] Shell = [App + ".Components", App + ".Hosting", App + ".Api"];

    private static readonly Assembly Portal = typeof(Program).Assembly;

    public static TheoryData<string> FeatureNames() => new(FeatureNamespaces().Select(n => n[(Features.Length + 1)..]));

    [Fact]
    public void TheSharedKernel_DependsOnNothingOfTheApp()
    {
        var result = Types.InAssembly(Portal).That().ResideInNamespace(Common)
            .ShouldNot().HaveDependencyOnAny([Features, Data, Authorization, .. Shell])
            .GetResult();

        AssertKept(result, "the shared kernel");
    }

    [Theory]
    [MemberData(nameof(FeatureNames))]
    public void AFeature_NeverDependsOnTheAppShell(string feature)
    {
        var result = Types.InAssembly(Portal).That().ResideInNamespace($"{Features}.{feature}")
            .ShouldNot().HaveDependencyOnAny(Shell)
            .GetResult();

        AssertKept(result, feature);
    }

    [Fact]
    public void StorageAndTheAuthorizationPath_NeverDependOnTheAppShell()
    {
        var result = Types.InAssembly(Portal).That().ResideInNamespace(Data).Or().ResideInNamespace(Authorization)
            .ShouldNot().HaveDependencyOnAny(Shell)
            .GetResult();

        AssertKept(result, "Data/ and Authorization/");
    }

    /// <summary>What a feature keeps to itself (its non-public types) no other feature may use.</summary>
    [Theory]
    [MemberData(nameof(FeatureNames))]
    public void NoOtherFeature_ReachesIntoAFeaturesInternals(string feature)
    {
        var owner = $"{Features}.{feature}";
        var internals = Portal.GetTypes()
            .Where(t => t.Namespace is { } ns && (ns == owner || ns.StartsWith(owner + ".", StringComparison.Ordinal)))
            .Where(t => !t.IsNested && !t.IsPublic && !IsCompilerGenerated(t))
            .Select(t => t.FullName!)
            .ToArray();
        if (internals.Length == 0)
        {
            return;
        }

        var offenders = Types.InAssembly(Portal).That().ResideInNamespace(Features).And().DoNotResideInNamespace(owner)
            .And().HaveDependencyOnAny(internals)
            .GetTypes()
            .Select(t => t.FullName)
            .ToList();

        Assert.True(offenders.Count == 0, $"These types use internals of {feature}: {string.Join(", ", offenders)}");
    }

    /// <summary>The rules are only as good as their reach: a dependency that exists is one they see.</summary>
    [Fact]
    public void TheRules_SeeADependencyWhereThereIsOne()
    {
        var compositionRoot = Types.InAssembly(Portal).That().HaveName("LockboxServices")
            .Should().HaveDependencyOn(Features)
            .GetResult();

        Assert.True(compositionRoot.IsSuccessful, "the composition root registers the features, and the rules can see that");
        Assert.Contains($"{Features}.AccessRequests", FeatureNamespaces());
    }

    private static string[] FeatureNamespaces() => Portal.GetTypes()
        .Select(t => t.Namespace)
        .Where(ns => ns is not null && ns.StartsWith(Features + ".", StringComparison.Ordinal))
        .Select(ns => string.Join('.', ns!.Split('.').Take(3)))
        .Distinct()
        .Order(StringComparer.Ordinal)
        .ToArray();

    private static bool IsCompilerGenerated(Type type) =>
        type.Name.StartsWith('<') || type.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is not null;

    private static void AssertKept(TestResult result, string what) =>
        Assert.True(result.IsSuccessful, $"{what} depends on the app shell or beyond its place: {string.Join(", ", result.FailingTypeNames ?? [])}");
}
