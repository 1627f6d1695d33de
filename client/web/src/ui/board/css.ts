/*
 * Style properties set through the CSSOM (element.style.setProperty), never
 * as a style attribute: the server's Content-Security-Policy (style-src
 * 'self') refuses inline style attributes, and Lit's styleMap writes one on
 * its first render. Used on an element: `<div ${cssProps({height: "10px"})}>`.
 */
import { noChange } from "lit";
import { Directive, type ElementPart, type PartInfo, PartType, directive } from "lit/directive.js";

class CssProps extends Directive {
  private names = new Set<string>();

  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.ELEMENT) throw new Error("cssProps goes on an element");
  }

  render(_props: Record<string, string>): unknown {
    return noChange;
  }

  update(part: ElementPart, [props]: [Record<string, string>]): unknown {
    const style = (part.element as HTMLElement).style;
    for (const n of this.names) if (!(n in props)) style.removeProperty(n);
    for (const [n, v] of Object.entries(props)) style.setProperty(n, v);
    this.names = new Set(Object.keys(props));
    return noChange;
  }
}

export const cssProps = directive(CssProps);
