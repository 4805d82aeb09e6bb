// The XML gate's byte cap on its own, free of any parser, so the browser's upload check can import the same number.
export const MAX_XML_BYTES = 256 * 1024;
