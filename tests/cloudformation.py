"""Read a generated template.yaml the way AWS would, offline: SAM's translator, then conditions."""

from pathlib import Path
from typing import Any

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

Template = dict[str, Any]


def no_policy_lookup() -> dict[str, str]:
    """SAM asks IAM for the managed policies it knows only by name; these tests have no AWS account."""
    raise AssertionError("the template names an IAM policy that SAM must look up in an AWS account")


def translate(path: Path, region: str, **parameters: str) -> Template:
    """The CloudFormation that ``sam deploy`` would create from the SAM template at ``path``.

    SAM reads a few properties (CorsConfiguration among them) with the parameter values it is given,
    else with the defaults, as CloudFormation runs the transform with the stack's values.
    """
    template = yaml_parse(path.read_text())
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":  # as sam deploy uploads it
            resource["Properties"]["CodeUri"] = "s3://deployment-bucket/function.zip"
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    return translator.translate(template, parameters, get_managed_policy_map=no_policy_lookup)


def parameter_values(template: Template, **overrides: str) -> dict[str, Any]:
    """Every parameter's value: the overrides, else the defaults; lists as lists."""
    values: dict[str, Any] = {}
    for name, parameter in template["Parameters"].items():
        value = str(overrides.get(name, parameter.get("Default", "")))
        is_list = parameter["Type"].startswith("List<") or parameter["Type"] == "CommaDelimitedList"
        values[name] = [item for item in value.split(",") if item] if is_list else value
    return values


def deployed(template: Template, **overrides: str) -> dict[str, Template]:
    """The resources CloudFormation would create with these parameter values, conditions resolved."""
    evaluate = evaluator(template, **overrides)
    conditions = template.get("Conditions", {})
    return {
        name: {**resource, "Properties": resolve_ifs(resource.get("Properties", {}), evaluate)}
        for name, resource in template["Resources"].items()
        if "Condition" not in resource or evaluate(conditions[resource["Condition"]])
    }


def refusals(template: Template, **overrides: str) -> list[str]:
    """The AssertDescriptions of the template's Rules that these parameter values break."""
    evaluate = evaluator(template, **overrides)
    return [
        assertion["AssertDescription"]
        for rule in template.get("Rules", {}).values()
        if evaluate(rule.get("RuleCondition", True))
        for assertion in rule["Assertions"]
        if not evaluate(assertion["Assert"])
    ]


def evaluator(template: Template, **overrides: str) -> Any:
    """A function that evaluates conditions (and Refs, Ifs) with these parameter values."""
    values = parameter_values(template, **overrides)
    conditions = template.get("Conditions", {})

    def evaluate(node: Any) -> Any:
        if isinstance(node, list):
            return [evaluate(item) for item in node]
        if not isinstance(node, dict) or len(node) != 1:
            return node
        ((function, argument),) = node.items()
        match function:
            case "Ref":
                return values.get(argument, node)
            case "Condition":
                return evaluate(conditions[argument])
            case "Fn::Equals":
                return evaluate(argument[0]) == evaluate(argument[1])
            case "Fn::Not":
                return not evaluate(argument[0])
            case "Fn::And":
                return all(evaluate(item) for item in argument)
            case "Fn::Or":
                return any(evaluate(item) for item in argument)
            case "Fn::If":
                return evaluate(argument[1] if evaluate(conditions[argument[0]]) else argument[2])
            case "Fn::Join":
                return argument[0].join(evaluate(argument[1]))
        return node

    return evaluate


def resolve_ifs(node: Any, evaluate: Any) -> Any:
    """``node`` with every Fn::If replaced by its chosen branch (other functions kept as they are)."""
    if isinstance(node, list):
        return [resolve_ifs(item, evaluate) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Fn::If"}:
        return resolve_ifs(evaluate(node), evaluate)
    return {key: resolve_ifs(value, evaluate) for key, value in node.items()}


def of_type(resources: dict[str, Template], kind: str) -> dict[str, Template]:
    return {name: resource for name, resource in resources.items() if resource["Type"] == kind}
